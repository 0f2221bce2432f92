"""A partner request's working languages: codes from one list, a note for what it lacks.

The old free text becomes codes (and a note) in migration matching/0003; pages, the API and the
service take codes only and show the names in the reader's language.
"""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kembar.core import languages
from kembar.matching import services
from kembar.matching.models import PartnerRequest

MIGRATION = importlib.import_module("kembar.matching.migrations.0003_partnerrequest_language_codes")
BEFORE = [("matching", "0002_partnerrequest_version")]
AFTER = [("matching", "0003_partnerrequest_language_codes")]


def request_of(government, **extra) -> PartnerRequest:
    return PartnerRequest.objects.create(
        government=government,
        title="Port city seeks partner",
        offers="Port logistics",
        seeks="A port city",
        contact_email="ks@surabaya.go.id",
        **extra,
    )


@pytest.mark.parametrize(
    "text, codes, note",
    [
        ("Korean, English", ["ko", "en"], ""),
        ("Bahasa Inggris", ["en"], ""),
        ("English/Japanese", ["en", "ja"], ""),
        ("Indonesian and English", ["id", "en"], ""),
        ("Bahasa Indonesia dan Bahasa Jepang", ["id", "ja"], ""),
        ("Inggris; Mandarin", ["en", "zh"], ""),
        ("EN, ja, English", ["en", "ja"], ""),
        ("German language", ["de"], ""),
        ("Korean, Sundanese", ["ko"], "Sundanese"),
        ("English (Japanese through an interpreter)", [], "English (Japanese through an interpreter)"),
        ("", [], ""),
    ],
)
def test_the_migration_reads_names_in_english_and_indonesian_and_keeps_the_rest(text, codes, note):
    assert MIGRATION.read(text) == (codes, note)


def test_the_migration_knows_every_language_of_the_list_by_both_its_names_and_its_code():
    for code in languages.CODES:
        for language in ("en", "id"):
            with translation.override(language):
                name = languages.name(code)
            assert MIGRATION.read(name) == ([code], ""), f"{name} ({language})"
        assert MIGRATION.read(code.upper()) == ([code], "")


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_stored_text_into_codes_and_back(governments):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("matching", "PartnerRequest")
        common = {"offers": "o", "seeks": "s", "contact_email": "a@b.id", "preferred_countries": []}
        texts = {
            "busan": "Korean, English",
            "bandung": "Bahasa Inggris",
            "kyoto": "English/Japanese, Sundanese",
            "surabaya": "",
        }
        ids = {
            key: old.objects.create(government_id=governments[key].pk, title=key, languages=text, **common).pk
            for key, text in texts.items()
        }
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("matching", "PartnerRequest")
        found = {key: new.objects.values_list("languages", "languages_note").get(pk=pk) for key, pk in ids.items()}
        assert found == {
            "busan": (["ko", "en"], ""),
            "bandung": (["en"], ""),
            "kyoto": (["en", "ja"], "Sundanese"),
            "surabaya": ([], ""),
        }
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)  # back: English names, then the note
        old = executor.loader.project_state(BEFORE).apps.get_model("matching", "PartnerRequest")
        assert old.objects.get(pk=ids["kyoto"]).languages == "English, Japanese, Sundanese"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_service_refuses_a_code_outside_the_list_and_keeps_each_code_once(users, governments):
    with pytest.raises(ValidationError) as error:
        services.create_request(
            users["bandung_editor"],
            governments["bandung"],
            title="T",
            offers="o",
            seeks="s",
            contact_email="a@b.id",
            languages=["ko", "klingon"],
        )
    assert "klingon" in error.value.message_dict["languages"][0]
    assert not PartnerRequest.objects.exists()
    made = services.create_request(
        users["bandung_editor"],
        governments["bandung"],
        title="T",
        offers="o",
        seeks="s",
        contact_email="a@b.id",
        languages=["ko", "en", "ko"],
        languages_note="Sundanese",
    )
    made.refresh_from_db()
    assert (made.languages, made.languages_note) == (["ko", "en"], "Sundanese")


def test_the_form_offers_every_language_as_a_checkbox_named_in_the_page_language(client, users, governments):
    client.force_login(users["bandung_editor"])
    page = client.get(reverse("matching:request_create"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    for code in languages.CODES:
        assert f'type="checkbox" name="languages" value="{code}"' in page
    assert "Korea</label>" in page and "Inggris</label>" in page and "Korean</label>" not in page
    assert 'name="languages_note"' in page and 'maxlength="200"' in page

    body = {
        "government": governments["bandung"].pk,
        "title": "Design partner",
        "offers": "Design schools",
        "seeks": "A creative city",
        "contact_email": "ks@bandung.go.id",
        "languages": ["ja", "en"],
        "languages_note": "Sundanese",
    }
    refused = client.post(reverse("matching:request_create"), {**body, "languages": ["ja", "xx"]})
    assert refused.status_code == 200 and refused.context["form"].errors["languages"]
    assert not PartnerRequest.objects.exists()
    made = client.post(reverse("matching:request_create"), body)
    assert made.status_code == 302
    saved = PartnerRequest.objects.get()
    assert (saved.languages, saved.languages_note) == (["ja", "en"], "Sundanese")

    # The edit page shows the choices ticked and keeps them when saved again unchanged.
    edit = client.get(reverse("matching:request_edit", args=[saved.pk])).content.decode()
    assert 'value="ja" id="id_languages_2" checked' in edit
    form = client.get(reverse("matching:request_edit", args=[saved.pk])).context["form"]
    again = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    assert client.post(reverse("matching:request_edit", args=[saved.pk]), again).status_code == 302
    saved.refresh_from_db()
    assert (saved.languages, saved.languages_note, saved.version) == (["ja", "en"], "Sundanese", 2)


def test_the_api_takes_codes_and_refuses_an_unknown_one_naming_it(api, governments):
    body = {
        "government_id": governments["bandung"].pk,
        "title": "Smart city partner",
        "offers": "Apps",
        "seeks": "Data",
        "contact_email": "ks@bandung.go.id",
        "languages": ["ko", "xx"],
    }
    refused = api("post", "/api/partner-requests", "bandung_editor", body)
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["field"] == "languages.1" and "'ko'" in error["message"] and "'tr'" in error["message"]
    as_text = api("post", "/api/partner-requests", "bandung_editor", {**body, "languages": "Korean, English"})
    assert as_text.status_code == 422 and as_text.json()["detail"][0]["field"] == "languages"
    too_long = api(
        "post", "/api/partner-requests", "bandung_editor", {**body, "languages": [], "languages_note": "x" * 201}
    )
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["field"] == "languages_note"
    assert not PartnerRequest.objects.exists()

    created = api("post", "/api/partner-requests", "bandung_editor", {**body, "languages": ["ko", "en", "ko"]})
    assert created.status_code == 201
    data = created.json()
    assert (data["languages"], data["languages_note"]) == (["ko", "en"], "")
    url = f"/api/partner-requests/{data['id']}"
    changed = api("patch", url, "bandung_editor", {"languages": ["ja"], "languages_note": "Sundanese", "version": 1})
    assert changed.status_code == 200
    assert (changed.json()["languages"], changed.json()["languages_note"]) == (["ja"], "Sundanese")
    stale_code = api("patch", url, "bandung_editor", {"languages": ["jp"], "version": 2})
    assert stale_code.status_code == 422 and stale_code.json()["detail"][0]["field"] == "languages.0"
    assert PartnerRequest.objects.get().languages == ["ja"]


@pytest.mark.parametrize(
    "language, shown, other",
    [("id", "Korea, Inggris · Sunda", "Korean, English"), ("en", "Korean, English · Sunda", "Korea, Inggris")],
)
def test_the_request_page_names_the_languages_in_the_readers_language(governments, language, shown, other):
    partner_request = request_of(governments["busan"], languages=["ko", "en"], languages_note="Sunda")
    client = Client()
    page = client.get(partner_request.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<dd>{shown}</dd>" in page and other not in page


def test_a_request_without_languages_shows_a_dash_and_one_with_a_note_only_shows_the_note(governments):
    none = request_of(governments["busan"])
    note_only = request_of(governments["surabaya"], languages_note="Javanese")
    client = Client()
    assert "<dt>Working languages</dt><dd>—</dd>" in client.get(none.get_absolute_url()).content.decode()
    assert "<dd>Javanese</dd>" in client.get(note_only.get_absolute_url()).content.decode()


def test_names_follow_the_active_language_and_keep_an_unknown_code():
    with translation.override("id"):
        assert languages.names(["ko", "en", "ja", "zh"]) == "Korea, Inggris, Jepang, Mandarin"
    with translation.override("en"):
        assert languages.names(["ko", "en", "ja", "zh"]) == "Korean, English, Japanese, Chinese"
        assert languages.name("xx") == "xx"
    assert len(languages.choices()) == len(languages.CODES) >= 19
