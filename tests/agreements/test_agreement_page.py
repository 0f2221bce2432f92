"""The agreement's page as an officer uses it: the procedure compact with the stage in progress
open, messages where the action was, only the actions the rules allow, the history in words in
the office's time zone, and the link to an earlier agreement (follows or renews)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from kembar.agreements import services
from kembar.agreements.models import ProcedureTemplate
from kembar.partnerships import services as partnership_services
from tests.support.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(users):
    user = users["bandung_editor"]
    user.first_name, user.last_name = "Siti", "Rahma"
    user.save()
    return user


@pytest.fixture
def agreement(governments, users, editor):
    p = partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["kyoto"], public=True, status="proposed"
    )
    return services.create_agreement(
        editor, p, template=ProcedureTemplate.objects.get(code="ksdpl"), title="LoI Bandung–Kyoto", kind="loi"
    )


def walk(user, agreement, stages: int, signed_on=None):
    """Start the procedure (of a draft) and complete `stages` stages, each with a document."""
    if agreement.status == "draft":
        agreement = services.advance(user, agreement)
    for _ in range(stages):
        services.upload_document(user, agreement.stages.get(status="active"), upload("e.pdf", pdf_bytes()))
        agreement = services.advance(user, agreement, signed_on=signed_on)
    return agreement


def text(response) -> str:
    return response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”").replace("&#x27;", "'")


def test_the_stage_in_progress_is_open_and_the_others_are_one_line(client, editor, agreement):
    agreement = walk(editor, agreement, 3)
    client.force_login(editor)
    page = text(client.get(agreement.get_absolute_url()))
    # One open card: the assessment, with its forms; the rest are <details> lines, closed.
    assert page.count('class="card stage-open"') == 1
    assert re.search(r'id="stage-4" class="stage stage-active" data-stage="assessment"', page)
    assert page.count('enctype="multipart/form-data"') == 4  # the active stage and the three done
    assert "<details open" not in page
    done = re.search(r'id="stage-1".*?</summary>', page, re.S).group(0)
    assert "complete " in done and "1 document" in done


def test_after_a_move_the_page_opens_at_the_stage_with_the_message_there(client, editor, agreement):
    agreement = walk(editor, agreement, 0)
    services.upload_document(editor, agreement.stages.get(status="active"), upload("LoI.pdf", pdf_bytes()))
    client.force_login(editor)
    response = client.post(reverse("agreements:advance", args=[agreement.pk]), {"version": agreement.version})
    assert response.status_code == 302 and response["Location"].endswith("#stage-2")
    page = text(client.get(response["Location"]))
    stage = page.split('<li id="stage-2"')[1].split('<li id="stage-3"')[0]
    assert "The procedure moved on." in stage
    assert page.count("The procedure moved on.") == 1  # not repeated at the top


def test_a_refused_action_is_shown_at_its_stage_and_the_form_leads_there(client, editor, agreement):
    agreement = walk(editor, agreement, 7)  # at the signing, its text uploaded
    services.upload_document(editor, agreement.stages.get(status="active"), upload("signed.pdf", pdf_bytes()))
    client.force_login(editor)
    page = text(client.get(agreement.get_absolute_url()))
    assert f'action="{reverse("agreements:advance", args=[agreement.pk])}#stage-8"' in page
    refused = text(client.post(reverse("agreements:advance", args=[agreement.pk]), {"version": agreement.version}))
    stage = refused.split('<li id="stage-8"')[1].split('<li id="stage-9"')[0]
    assert "Give the date the agreement was signed." in stage


def test_back_one_stage_is_not_offered_after_signing_nor_at_the_first_stage(client, editor, agreement):
    client.force_login(editor)
    agreement = walk(editor, agreement, 0)
    assert "Back one stage" not in text(client.get(agreement.get_absolute_url()))
    agreement = walk(editor, agreement, 8, signed_on=dt.date(2026, 3, 2))
    page = text(client.get(agreement.get_absolute_url()))
    assert agreement.status == "signed" and "Complete this stage" in page and "Back one stage" not in page


def test_without_its_evidence_the_stage_says_what_to_upload_instead_of_a_button(client, editor, agreement):
    agreement = walk(editor, agreement, 0)
    client.force_login(editor)
    page = text(client.get(agreement.get_absolute_url()))
    assert "Complete this stage" not in page
    assert "“Exploration” cannot be completed without its evidence: upload letter of intent" in page


def test_viewers_get_no_forms(client, users, editor, agreement):
    walk(editor, agreement, 2)
    client.force_login(users["bandung_viewer"])
    page = text(client.get(agreement.get_absolute_url()))
    assert '<form method="post"' not in page.split("<main>")[1].split("</main>")[0].replace(
        'action="/i18n/setlang/"', ""
    )


def test_the_history_reads_in_words_with_names_in_the_offices_zone(client, editor, agreement):
    agreement = walk(editor, agreement, 1)
    services.update_agreement(editor, agreement, title="LoI Bandung–Kyoto (culture)")
    client.force_login(editor)
    page = text(client.get(agreement.get_absolute_url()))
    history = page.split('id="history"')[1]
    assert "Procedure started at “Exploration” by Siti Rahma (Bandung)" in history
    assert "“Exploration” completed and “Cooperation plan” started by Siti Rahma (Bandung)" in history
    assert "“e” (version 1) uploaded to “Exploration” by Siti Rahma (Bandung)" in history
    assert "Title: LoI Bandung–Kyoto → LoI Bandung–Kyoto (culture)" in history
    assert "started by:" not in history and "template stage" not in history and "UTC" not in history
    assert "WIB" in history and "Times in WIB (Asia/Jakarta)." in page


def test_the_history_is_in_indonesian_on_an_indonesian_page(client, editor, agreement, settings):
    agreement = walk(editor, agreement, 1)
    client.force_login(editor)
    with translation.override("id"):
        page = text(client.get(agreement.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="id"))
    history = page.split('id="history"')[1]
    assert "Prosedur dimulai pada “Penjajakan” oleh Siti Rahma (Bandung)" in history
    assert "Exploration" not in history


def test_signing_the_loi_on_the_page_says_the_partnership_is_now_active(client, editor, agreement):
    agreement = walk(editor, agreement, 7)
    services.upload_document(editor, agreement.stages.get(status="active"), upload("signed.pdf", pdf_bytes()))
    client.force_login(editor)
    response = client.post(
        reverse("agreements:advance", args=[agreement.pk]),
        {"version": agreement.version, "signed_on": "2026-03-02"},
        follow=True,
    )
    assert "the partnership is now active" in text(response)
    agreement.partnership.refresh_from_db()
    assert agreement.partnership.status == "active"


def test_a_new_mou_follows_the_loi_through_the_form_and_both_pages_link(client, editor, agreement):
    client.force_login(editor)
    response = client.post(
        reverse("agreements:create", args=[agreement.partnership_id]),
        {
            "template": ProcedureTemplate.objects.get(code="ksdpl").pk,
            "kind": "mou",
            "title": "MoU Bandung–Kyoto",
            "previous": agreement.pk,
            "relation": "follows",
        },
    )
    assert response.status_code == 302
    mou = agreement.successors.get()
    assert mou.relation == "follows"
    page = text(client.get(mou.get_absolute_url()))
    assert re.search(r"<dt>Follows</dt><dd data-previous><a [^>]*>LoI Bandung–Kyoto</a>", page)
    assert re.search(
        r"<dt>Followed by</dt><dd><a [^>]*>MoU Bandung–Kyoto</a>", text(client.get(agreement.get_absolute_url()))
    )


def test_the_api_links_an_mou_to_the_loi_it_follows(api, editor, agreement):
    body = {
        "partnership_id": agreement.partnership_id,
        "procedure": "ksdpl",
        "title": "MoU Bandung–Kyoto",
        "previous_id": agreement.pk,
        "relation": "follows",
    }
    response = api("post", "/api/agreements", body=body, as_="bandung_editor")
    assert response.status_code == 201
    assert (response.json()["previous_id"], response.json()["relation"]) == (agreement.pk, "follows")
    response = api("post", "/api/agreements", body={**body, "relation": None}, as_="bandung_editor")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "relation"
    successor = agreement.successors.get()
    mou = api(
        "patch",
        f"/api/agreements/{successor.pk}",
        body={"relation": "renews", "version": successor.version},
        as_="bandung_editor",
    )
    assert mou.status_code == 200 and mou.json()["relation"] == "renews"
    unlinked = api(
        "patch",
        f"/api/agreements/{successor.pk}",
        body={"previous_id": None, "relation": None, "version": mou.json()["version"]},
        as_="bandung_editor",
    )
    assert unlinked.status_code == 200 and (unlinked.json()["previous_id"], unlinked.json()["relation"]) == (None, "")


def test_the_api_history_names_users_instead_of_ids(api, editor, agreement):
    walk(editor, agreement, 1)
    history = api("get", f"/api/agreements/{agreement.pk}/history", as_="bandung_editor").json()
    started = [c for e in history for c in e["changes"] if c["field"] == "started by"]
    assert started and all(c["new"] in ("", "bandung_editor") for c in started)
    assert not any(c["field"] == "template stage" for e in history for c in e["changes"])
