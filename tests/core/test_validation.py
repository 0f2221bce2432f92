"""One rule for text and links at every door: no control characters (tab and line breaks only in
multi-line fields), links http or https only. An outside test found `\\x0b`, `\\x01` and NUL
accepted by the API and import-links, and `javascript:` stored as a meeting's video link."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from kembar.core.validation import check_values
from kembar.meetings.models import Meeting
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.services import create_partnership
from tests.support.clients import errors_by_field, partnership_body
from tests.support.worlds.meetings import new_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def partnership(users, governments):
    return create_partnership(users["platform_admin"], governments["bandung"], governments["surabaya"], public=True)


def test_a_one_line_field_refuses_every_control_character_a_text_field_allows_line_breaks():
    with pytest.raises(ValidationError) as refused:
        check_values(LocalGovernment, {"name": "Kota\nBandung"})
    assert refused.value.message_dict == {"name": ["Name contains a control character (code 10); remove it."]}
    check_values(Partnership, {"notes": "Line one\n\tline two\r\n"})
    with pytest.raises(ValidationError, match="code 0"):
        check_values(Partnership, {"notes": "NUL\x00"})


def test_a_page_form_shows_the_refusal_on_its_field_and_saves_nothing(client, users, partnership):
    client.force_login(users["bandung_editor"])
    response = client.post(
        reverse("partnerships:edit", args=[partnership.pk]),
        {"kind": "sister_city", "status": "active", "notes": "Agreed\x0b in 2019", "version": partnership.version},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["notes"] == ["Notes contains a control character (code 11); remove it."]
    partnership.refresh_from_db()
    assert partnership.notes == "" and partnership.version == 1


def test_the_api_answers_422_naming_the_field(api, governments, partnership):
    response = api(
        "post", "/api/partnerships", as_="platform_admin", body=partnership_body(governments, b="kyoto", notes="x\x01")
    )
    assert errors_by_field(response) == {"notes": "Notes contains a control character (code 1); remove it."}
    assert not Partnership.objects.filter(notes__contains="\x01").exists()
    government = governments["bandung"]
    response = api(
        "patch",
        f"/api/governments/{government.pk}",
        as_="bandung_editor",
        body={"address": "Jl. Wastukencana\x00 2", "version": government.version},
    )
    assert set(errors_by_field(response)) == {"address"}


def test_a_link_must_be_http_or_https_through_the_api_and_the_service(api, users, governments, partnership):
    with pytest.raises(ValidationError) as refused:
        new_meeting(users["bandung_editor"], partnership, video_link="javascript:alert(1)")
    assert refused.value.message_dict == {
        "video_link": ["Video link must be a web address starting with http:// or https://."]
    }
    meeting = new_meeting(users["bandung_editor"], partnership)
    response = api(
        "patch",
        f"/api/meetings/{meeting.pk}",
        as_="bandung_editor",
        body={"video_link": "javascript:alert(document.cookie)", "version": meeting.version},
    )
    assert "video_link" in errors_by_field(response)
    assert Meeting.objects.get().video_link == "https://meet.example.org/kembar"


def test_import_links_rejects_a_row_with_a_control_character(governments, tmp_path):
    csv = "city1,country1,city2,country2\nBandung,ID,Braunschweig,DE\nBan\x0bdung,ID,Fort Worth,US\n"
    path = tmp_path / "links.csv"
    path.write_text(csv, encoding="utf-8")
    out = io.StringIO()
    call_command("import_links", str(path), "--no-progress", stdout=out, stderr=io.StringIO())
    output = out.getvalue()
    assert "city1 contains a control character (code 11)" in output
    assert not LocalGovernment.objects.filter(name__contains="\x0b").exists()


def test_nul_in_minutes_and_a_signatory_is_refused_not_a_database_error(users, partnership):
    """PostgreSQL refuses NUL in text: without the rule these were 500s there."""
    from kembar.meetings import services as meetings

    meeting = new_meeting(users["bandung_editor"], partnership)
    with pytest.raises(ValidationError) as refused:
        meetings.record_minutes(users["bandung_editor"], meeting, minutes="Agreed\x00", decisions="")
    assert "minutes" in refused.value.message_dict
    meeting.refresh_from_db()
    assert meeting.minutes == ""
