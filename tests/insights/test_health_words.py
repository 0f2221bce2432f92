"""One word, one meaning: the status an office records and the health kembar computes never
share a word, in either language, and every page that shows a band says it is the health."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from kembar.insights.health.score import STATE_LABELS, STATES
from kembar.partnerships.vocab import Field, Status, Trait
from tests.support.builders import sister_cities


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_status_word_is_a_health_word(language):
    with translation.override(language):
        status = {str(label).casefold() for label in Status.labels}
        health = {str(STATE_LABELS[state]).casefold() for state in STATES}  # … dormant, no record yet
        assert len(status) == 4 and len(health) == 5
        # Not even inside one another: "aktif" was in "tidak aktif".
        assert not [(s, h) for s in status for h in health if s in h or h in s]
        # "Health" is the score's word; the field of cooperation and the traits have their own.
        assert str(Field.HEALTH.label) != translation.gettext("Health")
        assert not {str(t.label) for t in Trait} & {str(f.label) for f in Field}


@pytest.mark.django_db
def test_the_partnership_page_labels_its_status_and_its_health(client, governments, users):
    partnership = sister_cities(governments)  # active, nothing held: dormant
    client.force_login(users["bandung_editor"])
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "id"
    page = client.get(reverse("partnerships:detail", args=[partnership.pk])).content.decode()
    assert "Status yang dicatat" in page and ">Aktif<" in page
    assert "Kesehatan" in page and "mati suri" in page and "tidak aktif" not in page
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Partnerships by recorded status" in client.get(reverse("dashboard:dashboard")).content.decode()
    page = client.get(reverse("partnerships:detail", args=[partnership.pk])).content.decode()
    assert "Recorded status" in page and "Health" in page and "dormant" in page and "inactive" not in page
