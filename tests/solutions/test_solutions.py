"""The solution exchange: services, permissions, pages, API, CLI, public catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from kembar.accounts.models import ApiToken
from kembar.core.versioning import ConcurrentEdit
from kembar.partnerships import services as registry
from kembar.partnerships.models import LocalGovernment
from kembar.solutions import services
from kembar.solutions.models import Milestone, Need, Pilot, Solution, SolutionAttachment
from tests.support.clients import logged_in
from tests.support.files import pdf_bytes, upload
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

PRIVATE_TEXT = "PRIVATE-SOLUTION-8120"


@pytest.fixture
def exchange(governments, users, settings, tmp_path):
    """Bandung partners Braunschweig (public) and Busan (not public); Surabaya is unrelated.

    Braunschweig offers a public flood warning, Busan a non-public telemedicine service,
    Liverpool (no partner of Bandung) a public flood warning too. Bandung needs a flood warning.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = users["platform_admin"]
    registry.create_partnership(admin, governments["bandung"], governments["braunschweig"], public=True)
    registry.create_partnership(admin, governments["bandung"], governments["busan"], public=False)
    flood = services.create_solution(
        admin,
        governments["braunschweig"],
        title="Flood early warning",
        summary="River level sensors send SMS warnings to residents before floods.",
        problem="Rivers flood after heavy rain.",
        fields=["disaster", "smart_city"],
        sdg_targets=["11.5"],
        maturity="in_use",
        languages=["de", "en"],
    )
    telemedicine = services.create_solution(
        admin,
        governments["busan"],
        title="Telemedicine for district clinics",
        summary=PRIVATE_TEXT,
        problem="Patients travel far to see a doctor.",
        fields=["health"],
        sdg_targets=["3"],
        public=False,
    )
    far_flood = services.create_solution(
        admin,
        governments["liverpool"],
        title="Tidal flood barrier alerts",
        summary="Flood warnings for the waterfront by SMS.",
        problem="Tidal floods.",
        fields=["disaster"],
        sdg_targets=["11.5"],
        maturity="scaled",
    )
    need = services.create_need(
        admin,
        governments["bandung"],
        title="Sistem peringatan dini banjir",
        description="Sungai meluap saat hujan deras; warga perlu peringatan dini banjir lewat pesan singkat.",
        fields=["disaster"],
        sdg_targets=["11.5"],
        languages=["id", "en"],
    )
    return {"flood": flood, "telemedicine": telemedicine, "far_flood": far_flood, "need": need}


# --- services: bad input, nothing half-written ---------------------------------------------------


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": "   "}, "title"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 1001}, "summary"),
        ({"problem": "p" * 4001}, "problem"),
        ({"fields": ["culture", "space_travel"]}, "fields"),
        ({"sdg_targets": ["11.5", "11.9"]}, "sdg_targets"),
        ({"sdg_targets": ["18"]}, "sdg_targets"),
        ({"languages": ["klingon"]}, "languages"),
        ({"maturity": "legendary"}, "maturity"),
    ],
)
def test_bad_solution_input_is_refused_with_the_field_and_nothing_is_written(users, governments, data, field):
    good = {
        "title": "Waste bank",
        "summary": "Residents save by recycling.",
        "problem": "Plastic waste.",
        "fields": ["environment"],
        "sdg_targets": ["11.6"],
    }
    with pytest.raises(ValidationError) as error:
        services.create_solution(users["braunschweig_editor"], governments["braunschweig"], **{**good, **data})
    assert field in error.value.message_dict
    assert Solution.objects.count() == 0 and Solution.history.count() == 0


def test_an_oversized_text_names_the_limit_and_the_length(users, governments):
    with pytest.raises(ValidationError) as error:
        services.create_need(users["bandung_editor"], governments["bandung"], title="t" * 201, description="d")
    assert error.value.message_dict["title"] == ["At most 200 characters (this has 201)."]


def test_a_failed_attachment_writes_no_solution(users, governments, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = upload("report.pdf", b"MZ\x90\x00 this is a program, not a PDF")
    with pytest.raises(ValidationError) as error:
        services.create_solution(
            users["braunschweig_editor"],
            governments["braunschweig"],
            title="Waste bank",
            summary="s",
            problem="p",
            attachments=[fake],
        )
    assert "report.pdf" in error.value.message_dict["attachments"][0]
    assert Solution.objects.count() == 0 and SolutionAttachment.objects.count() == 0
    assert not any(tmp_path.rglob("*.pdf"))


def test_only_the_governments_editors_publish_for_it(users, governments):
    with pytest.raises(PermissionDenied):
        services.create_solution(
            users["bandung_editor"], governments["braunschweig"], title="t", summary="s", problem="p"
        )
    with pytest.raises(PermissionDenied):
        services.create_need(users["bandung_viewer"], governments["bandung"], title="t", description="d")


def test_a_stale_edit_is_refused_and_history_is_kept(users, exchange):
    flood = exchange["flood"]
    editor = users["braunschweig_editor"]
    services.update_solution(editor, flood, expected_version=flood.version, maturity="scaled")
    with pytest.raises(ConcurrentEdit):
        services.update_solution(editor, flood, expected_version=flood.version, title="Overwritten")
    flood.refresh_from_db()
    assert (flood.title, flood.maturity, flood.version) == ("Flood early warning", "scaled", 2)
    assert flood.history.count() >= 2


# --- matching through the services ----------------------------------------------------------------


def test_the_need_finds_its_partners_solution_and_the_platform_also_the_others(users, exchange):
    viewer = users["bandung_viewer"]
    partners = services.matches_for_need(viewer, exchange["need"], services.PARTNERS)
    assert [f.item for f in partners] == [exchange["flood"]]
    reasons = partners[0].reasons
    assert "same field: Disaster management" in reasons and "both target SDG 11.5" in reasons
    assert any(r.startswith("text: ") and "flood" in r for r in reasons)
    platform = services.matches_for_need(viewer, exchange["need"], services.PLATFORM)
    assert {f.item for f in platform} >= {exchange["flood"], exchange["far_flood"]}


def test_matching_shows_only_what_the_reader_may_see(users, exchange, governments):
    surabaya_need = services.create_need(
        users["platform_admin"],
        governments["surabaya"],
        title="Telemedicine",
        description="Patients travel far to see a doctor; clinics need one.",
        fields=["health"],
        sdg_targets=["3"],
    )
    admin_sees = services.matches_for_need(users["platform_admin"], surabaya_need, services.PLATFORM)
    assert exchange["telemedicine"] in [f.item for f in admin_sees]
    surabaya_sees = services.matches_for_need(users["surabaya_editor"], surabaya_need, services.PLATFORM)
    assert exchange["telemedicine"] not in [f.item for f in surabaya_sees]


def test_a_solution_lists_the_partner_needs_it_could_serve(users, exchange):
    fits = services.needs_for_solution(users["braunschweig_editor"], exchange["flood"])
    assert [f.item for f in fits] == [exchange["need"]]
    # Liverpool is not Bandung's partner: its solution is offered to its own partners' needs only.
    assert services.needs_for_solution(users["platform_admin"], exchange["far_flood"]) == []


# --- pilots ---------------------------------------------------------------------------------------


def test_expressing_interest_opens_a_pilot_and_mails_the_offering_office(users, exchange, orgs, settings):
    settings.KEMBAR_SITE_URL = "https://kerjasama.example.go.id"
    users["braunschweig_editor"].email = "amt@braunschweig.example"
    users["braunschweig_editor"].save()
    pilot = services.express_interest(
        users["bandung_editor"], exchange["flood"], exchange["need"].government, exchange["need"]
    )
    assert (pilot.status, pilot.need, pilot.government.name) == ("interest", exchange["need"], "Bandung")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amt@braunschweig.example"]
    assert "Bandung" in mail.outbox[0].subject and "Flood early warning" in mail.outbox[0].subject
    assert f"https://kerjasama.example.go.id{pilot.get_absolute_url()}\n" in mail.outbox[0].body
    with pytest.raises(ValidationError):  # once per government and solution
        services.express_interest(users["bandung_editor"], exchange["flood"], exchange["need"].government)
    assert Pilot.objects.count() == 1


def test_interest_in_a_solution_the_user_may_not_see_is_refused(users, exchange, governments):
    with pytest.raises(PermissionDenied):
        services.express_interest(users["surabaya_editor"], exchange["telemedicine"], governments["surabaya"])
    with pytest.raises(ValidationError):
        services.express_interest(users["braunschweig_editor"], exchange["flood"], governments["braunschweig"])
    with pytest.raises(PermissionDenied):  # a viewer does not act for the office
        services.express_interest(users["bandung_viewer"], exchange["flood"], governments["bandung"])
    assert Pilot.objects.count() == 0


def test_a_pilot_is_followed_to_its_outcome(users, exchange, governments):
    pilot = services.express_interest(users["bandung_editor"], exchange["flood"], governments["bandung"])
    m = services.add_milestone(users["bandung_editor"], pilot, title="Sensors installed", due=dt.date(2026, 5, 1))
    services.set_milestone_status(users["braunschweig_editor"], m, "done")
    with pytest.raises(ValidationError):
        services.add_milestone(users["bandung_editor"], pilot, title=" ", due=dt.date(2026, 5, 1))
    with pytest.raises(PermissionDenied):
        services.update_pilot(users["surabaya_editor"], pilot, status="adopted")
    pilot = services.update_pilot(
        users["bandung_editor"],
        pilot,
        expected_version=pilot.version,
        status="adopted",
        outcome="Warnings reach 12,000 residents.",
        public=True,
    )
    assert (pilot.status, Milestone.objects.get().status) == ("adopted", "done")
    assert [p.government for p in services.adoptions(None, exchange["flood"])] == [governments["bandung"]]


def test_a_pilot_between_partners_is_tracked_as_an_activity_of_their_partnership(client, users, exchange, governments):
    from kembar.activities.models import Activity

    pilot = services.express_interest(
        users["bandung_editor"], exchange["flood"], governments["bandung"], exchange["need"]
    )
    client.force_login(users["bandung_editor"])
    page = reverse("solutions:pilot", args=[pilot.pk])
    assert "Track as an activity of the partnership" in client.get(page).content.decode()
    refused = client.post(
        reverse("solutions:pilot_track", args=[pilot.pk]), {"start": "2027-03-01", "end": "2027-02-01"}
    )
    assert refused.status_code == 200 and not Activity.objects.exists()
    with pytest.raises(PermissionDenied):
        services.track_as_activity(users["surabaya_editor"], pilot, start=dt.date(2027, 2, 1), end=dt.date(2027, 5, 31))
    response = client.post(
        reverse("solutions:pilot_track", args=[pilot.pk]), {"start": "2027-02-01", "end": "2027-05-31"}
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    pilot.refresh_from_db()
    assert pilot.activity == activity
    assert (activity.type, activity.field, activity.host) == ("smart_city_project", "disaster", governments["bandung"])
    assert {activity.partnership.government_a, activity.partnership.government_b} == {
        governments["bandung"],
        governments["braunschweig"],
    }
    assert activity.title == "Pilot: Flood early warning"
    # 08:00 to 16:00 in Bandung (UTC+7), stored in UTC.
    assert (activity.start.isoformat(), activity.end.isoformat()) == (
        "2027-02-01T01:00:00+00:00",
        "2027-05-31T09:00:00+00:00",
    )
    assert activity.get_absolute_url() in client.get(page).content.decode()
    with pytest.raises(ValidationError):
        services.track_as_activity(users["bandung_editor"], pilot, start=dt.date(2027, 2, 1), end=dt.date(2027, 5, 31))
    assert Activity.objects.count() == 1


def test_a_pilot_between_governments_that_are_not_partners_cannot_become_an_activity(users, exchange, governments):
    pilot = services.express_interest(users["bandung_editor"], exchange["far_flood"], governments["bandung"])
    with pytest.raises(ValidationError) as error:
        services.track_as_activity(users["bandung_editor"], pilot, start=dt.date(2027, 2, 1), end=dt.date(2027, 5, 31))
    assert "are not partners" in str(error.value)
    pilot.refresh_from_db()
    assert pilot.activity is None


# --- permissions on the pages --------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, sees",
    [
        ("anonymous", False),
        ("bandung_viewer", True),
        ("bandung_editor", True),
        ("surabaya_editor", False),
        ("braunschweig_editor", False),
        # Kemendagri's scope is Indonesia: a Korean city's non-public offer is not in it.
        ("oversight", False),
        ("platform_admin", True),
    ],
)
def test_a_non_public_solution_is_read_by_the_partners_offices_and_oversight(client, users, exchange, role, sees):
    c = logged_in(client, users, role)
    response = c.get(reverse("solutions:detail", args=[exchange["telemedicine"].pk]))
    assert response.status_code == (200 if sees else 404)
    listing = c.get(reverse("solutions:list")).content.decode()
    assert (PRIVATE_TEXT[:20] in listing or "Telemedicine for district clinics" in listing) == sees
    api = c.get(f"/api/solutions/{exchange['telemedicine'].pk}")
    assert api.status_code == (200 if sees else 404)


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("bandung_editor", 403),
        ("bandung_viewer", 403),
        ("oversight", 403),
        ("braunschweig_editor", 200),
        ("platform_admin", 200),
    ],
)
def test_edit_page_matrix(client, users, exchange, role, status):
    c = logged_in(client, users, role)
    response = c.get(reverse("solutions:edit", args=[exchange["flood"].pk]))
    assert response.status_code == status
    post = c.post(
        reverse("solutions:edit", args=[exchange["flood"].pk]),
        {
            "version": exchange["flood"].version,
            "title": "Changed",
            "summary": "s",
            "problem": "p",
            "provider_kind": "government",
            "maturity": "in_use",
            "cost_range": "unknown",
        },
    )
    assert (Solution.objects.get(pk=exchange["flood"].pk).title == "Changed") == (status == 200)
    assert post.status_code in (302, 403)


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("bandung_viewer", 403),
        ("oversight", 404),  # Busan's non-public offer is outside Kemendagri's scope (Indonesia)
        ("surabaya_editor", 404),
        ("bandung_editor", 302),
    ],
)
def test_interest_matrix(client, users, exchange, governments, role, status):
    """Surabaya cannot see Busan's telemedicine: 404. Bandung (Busan's partner) may adopt it."""
    c = logged_in(client, users, role)
    government = governments["surabaya" if role == "surabaya_editor" else "bandung"]
    response = c.post(reverse("solutions:interest", args=[exchange["telemedicine"].pk]), {"government": government.pk})
    assert response.status_code == status
    assert Pilot.objects.count() == (1 if role == "bandung_editor" else 0)


def test_a_pilot_of_a_solution_the_reader_may_not_see_is_not_shown(client, users, exchange, governments):
    pilot = services.express_interest(users["bandung_editor"], exchange["telemedicine"], governments["bandung"])
    services.update_pilot(users["bandung_editor"], pilot, public=True, status="running")
    for role, status in (("surabaya_editor", 404), ("anonymous", 404), ("bandung_viewer", 200), ("oversight", 404)):
        client.logout()
        assert logged_in(client, users, role).get(reverse("solutions:pilot", args=[pilot.pk])).status_code == status
    client.logout()
    assert client.get(f"/api/solutions/pilots/{pilot.pk}").status_code == 404
    assert "Telemedicine" not in client.get(reverse("solutions:catalogue")).content.decode()


# --- pages ----------------------------------------------------------------------------------------


def test_the_need_page_shows_matches_with_reasons(client, users, exchange):
    client.force_login(users["bandung_editor"])
    html = client.get(reverse("solutions:need", args=[exchange["need"].pk])).content.decode()
    partners, platform = html.split("Across the whole platform")
    assert "Flood early warning" in partners and "Tidal flood barrier alerts" not in partners
    assert "both target SDG 11.5" in partners and "same field: Disaster management" in partners
    assert "Tidal flood barrier alerts" in platform


def test_need_form_errors_are_specific_and_write_nothing(client, users, governments):
    client.force_login(users["bandung_editor"])
    response = client.post(
        reverse("solutions:need_create"),
        {"government": governments["bandung"].pk, "title": "", "description": "d" * 4001, "budget_range": "unknown"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "This text cannot be empty." in html
    assert "At most 4000 characters (this has 4001)." in html
    assert Need.objects.count() == 0


def test_offering_a_solution_with_an_attachment_and_downloading_it(client, users, governments, exchange):
    client.force_login(users["braunschweig_editor"])
    response = client.post(
        reverse("solutions:create"),
        {
            "government": governments["braunschweig"].pk,
            "title": "Waste bank",
            "summary": "Recycling savings.",
            "problem": "Plastic waste.",
            "provider_kind": "startup",
            "maturity": "pilot",
            "cost_range": "free",
            "fields": ["environment"],
            "sdg_targets": ["11.6", "12"],
            "public": "on",
            "attachments": [upload("Laporan akhir.pdf", pdf_bytes())],
        },
    )
    solution = Solution.objects.get(title="Waste bank")
    assert response.status_code == 302 and response["Location"] == solution.get_absolute_url()
    attachment = solution.attachments.get()
    assert attachment.name == "Laporan_akhir.pdf"
    download = client.get(reverse("solutions:attachment", args=[solution.pk, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    # A bad file: a specific error on the form, nothing written.
    response = client.post(
        reverse("solutions:create"),
        {
            "government": governments["braunschweig"].pk,
            "title": "Second",
            "summary": "s",
            "problem": "p",
            "provider_kind": "startup",
            "maturity": "pilot",
            "cost_range": "free",
            "attachments": [upload("photo.png", pdf_bytes())],
        },
    )
    assert "photo.png is called .png but its content is PDF" in response.content.decode()
    assert not Solution.objects.filter(title="Second").exists()


def test_the_private_attachment_is_not_downloadable_by_outsiders(client, users, exchange):
    telemedicine = exchange["telemedicine"]
    services.update_solution(users["platform_admin"], telemedicine, attachments=[upload("a.pdf", pdf_bytes())])
    attachment = telemedicine.attachments.get()
    url = reverse("solutions:attachment", args=[telemedicine.pk, attachment.pk])
    assert client.get(url).status_code == 404
    client.force_login(users["bandung_viewer"])
    assert client.get(url).status_code == 200


def test_the_solution_page_shows_where_it_was_adopted(client, users, exchange, governments):
    pilot = services.express_interest(users["bandung_editor"], exchange["flood"], governments["bandung"])
    services.update_pilot(users["bandung_editor"], pilot, status="running", public=True)
    html = client.get(reverse("solutions:detail", args=[exchange["flood"].pk])).content.decode()
    assert "Adopted in" in html and "Bandung" in html and "Running" in html


def test_the_public_catalogue_groups_public_solutions_with_their_adopters(client, users, exchange, governments):
    pilot = services.express_interest(users["bandung_editor"], exchange["flood"], governments["bandung"])
    services.update_pilot(users["bandung_editor"], pilot, status="adopted", public=True)
    html = client.get(reverse("solutions:catalogue")).content.decode()
    assert "Flood early warning" in html and "Tidal flood barrier alerts" in html
    assert "Telemedicine" not in html and PRIVATE_TEXT not in html
    assert "Disaster management" in html and "Bandung, ID" in html
    only_health = client.get(reverse("solutions:catalogue"), {"field": "health"}).content.decode()
    assert "Flood early warning" not in only_health
    by_sdg = client.get(reverse("solutions:catalogue"), {"sdg": "11.5"}).content.decode()
    assert "Flood early warning" in by_sdg
    client.cookies["django_language"] = "id"
    assert "Katalog" in client.get(reverse("solutions:catalogue"), HTTP_ACCEPT_LANGUAGE="id").content.decode()


def _more_solutions(government, n: int):
    for k in range(n):
        s = Solution.objects.create(
            government=government, title=f"Extra {k}", summary="s", problem="p", sdg_targets=["11.5"]
        )
        s.fields.set(["disaster"])
        Pilot.objects.create(
            solution=s,
            government=LocalGovernment.objects.exclude(pk=government.pk).first(),
            status="adopted",
            public=True,
        )
        Need.objects.create(government=government, title=f"Need {k}", description="d")


@pytest.mark.parametrize("url", ["solutions:list", "solutions:needs", "solutions:catalogue"])
@pytest.mark.parametrize("role", ["anonymous", "bandung_editor"])
def test_list_pages_query_count_does_not_grow_with_rows(client, users, exchange, governments, url, role):
    c = logged_in(client, users, role)
    _more_solutions(governments["braunschweig"], 2)
    c.get(reverse(url))
    with assert_constant_queries() as queries:
        with queries.few():
            assert c.get(reverse(url)).status_code == 200
        _more_solutions(governments["braunschweig"], 30)
        with queries.many():
            assert c.get(reverse(url)).status_code == 200


# --- API --------------------------------------------------------------------------------------------


@pytest.fixture
def token(users):
    return ApiToken.issue(users["bandung_editor"], "test")[1]


def test_api_need_matches_and_interest(client, exchange, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    fits = client.get(f"/api/solutions/needs/{exchange['need'].pk}/matches", **auth).json()
    assert fits[0]["id"] == exchange["flood"].pk and "both target SDG 11.5" in fits[0]["reasons"]
    response = client.post(
        f"/api/solutions/{exchange['flood'].pk}/interest",
        {"government_id": exchange["need"].government_id, "need_id": exchange["need"].pk},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201 and response.json()["status"] == "interest"
    pilot_id = response.json()["id"]
    stale = client.patch(
        f"/api/solutions/pilots/{pilot_id}",
        {"version": 99, "status": "running"},
        content_type="application/json",
        **auth,
    )
    assert stale.status_code == 409


def test_api_refuses_unknown_sdg_codes_with_the_field(client, governments, token):
    response = client.post(
        "/api/solutions/needs",
        {
            "government_id": governments["bandung"].pk,
            "title": "Banjir",
            "description": "Banjir rob.",
            "sdg_targets": ["11.5", "11.z"],
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "sdg_targets"
    assert "11.z" in response.json()["detail"][0]["message"]
    assert Need.objects.count() == 0


def test_api_interest_in_an_invisible_solution_is_a_404(client, exchange, users, governments):
    token = ApiToken.issue(users["surabaya_editor"], "t")[1]
    response = client.post(
        f"/api/solutions/{exchange['telemedicine'].pk}/interest",
        {"government_id": governments["surabaya"].pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 404 and Pilot.objects.count() == 0


# --- CLI --------------------------------------------------------------------------------------------


def test_cli_prints_needs_with_their_best_solutions_and_reasons(exchange, capsys, settings):
    call_command("solutions", "match", "--government", "Bandung,ID")
    out = capsys.readouterr().out
    assert "Sistem peringatan dini banjir" in out and "Flood early warning" in out
    assert "both target SDG 11.5" in out
    assert "Tidal flood barrier alerts" not in out  # Liverpool is not Bandung's partner


def test_cli_unknown_government_is_a_clear_error():
    with pytest.raises(CommandError, match="Atlantis"):
        call_command("solutions", "match", "--government", "Atlantis,ID")


def test_a_milestone_due_soon_is_reminded_once_to_both_offices(users, exchange, governments):
    from kembar.core import reminders

    for role, address in (("bandung_editor", "ks@bandung.example"), ("braunschweig_editor", "amt@bs.example")):
        users[role].email = address
        users[role].save()
    pilot = services.express_interest(users["bandung_editor"], exchange["flood"], governments["bandung"])
    services.add_milestone(users["bandung_editor"], pilot, title="Sensors installed", due=dt.date(2026, 12, 3))
    services.add_milestone(users["bandung_editor"], pilot, title="Far away", due=dt.date(2027, 6, 1))
    now = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
    due = reminders.collect(now, ["kembar.solutions.reminders.milestones_due"])
    assert [r.subject for r in due] == ["Pilot milestone due 2026-12-03: Sensors installed"]
    assert due[0].recipients == ("amt@bs.example", "ks@bandung.example")
    assert reminders.send(due, now) == 1
    assert reminders.collect(now, ["kembar.solutions.reminders.milestones_due"]) == []


def test_a_stale_edit_form_is_refused_with_a_message_and_changes_nothing(client, users, exchange):
    client.force_login(users["braunschweig_editor"])
    flood = exchange["flood"]
    services.update_solution(users["platform_admin"], flood, title="Renamed meanwhile")
    response = client.post(
        reverse("solutions:edit", args=[flood.pk]),
        {
            "version": flood.version,
            "title": "Mine",
            "summary": "s",
            "problem": "p",
            "provider_kind": "government",
            "maturity": "in_use",
            "cost_range": "unknown",
        },
    )
    assert response.status_code == 200 and "Someone else changed this solution" in response.content.decode()
    assert Solution.objects.get(pk=flood.pk).title == "Renamed meanwhile"


@pytest.mark.parametrize(
    "item, editor, page, body",
    [
        (
            "flood",
            "braunschweig_editor",
            "solutions:edit",
            {
                "title": "Mine",
                "summary": "s",
                "problem": "p",
                "provider_kind": "government",
                "maturity": "in_use",
                "cost_range": "unknown",
            },
        ),
        (
            "need",
            "bandung_editor",
            "solutions:need_edit",
            {"title": "Mine", "description": "d", "budget_range": "unknown"},
        ),
    ],
)
def test_an_edit_form_without_its_version_is_refused_and_changes_nothing(
    client, users, exchange, item, editor, page, body
):
    """The hidden version is required: a form that lost it would otherwise save over whatever
    someone else saved since the page was read."""
    client.force_login(users[editor])
    record = exchange[item]
    url = reverse(page, args=[record.pk])
    response = client.post(url, body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "This form is out of date. Reload the page and make your changes again." in response.content.decode()
    fresh = type(record).objects.get(pk=record.pk)
    assert (fresh.title, fresh.version) == (record.title, record.version)
    assert client.post(url, {**body, "version": record.version}).status_code == 302
    assert type(record).objects.get(pk=record.pk).title == "Mine"


def test_a_website_must_be_a_web_address(users, governments):
    with pytest.raises(ValidationError) as error:
        services.create_solution(
            users["braunschweig_editor"],
            governments["braunschweig"],
            title="t",
            summary="s",
            problem="p",
            provider_website="javascript:alert(1)",
        )
    assert "provider_website" in error.value.message_dict


def test_the_partnership_page_links_to_each_partners_solutions(client, users, exchange, governments):
    partnership = registry.partnership_queryset().get(government_b=governments["braunschweig"])
    html = client.get(reverse("partnerships:detail", args=[partnership.pk])).content.decode()
    link = f"{reverse('solutions:list')}?government={governments['braunschweig'].pk}"
    assert link in html
    listing = client.get(link).content.decode()
    assert "Flood early warning" in listing and "Tidal flood barrier alerts" not in listing


def test_the_need_page_ranks_an_edited_solution_by_its_new_text(client, users, exchange):
    """The solutions' analysed texts are kept between pages (match.SOLUTION_TEXTS); an edit is
    seen on the next page, ranked as a fresh fit of the text model ranks it."""
    client.force_login(users["bandung_editor"])
    url = reverse("solutions:need", args=[exchange["need"].pk])
    assert "text: flood" in client.get(url).content.decode()
    services.update_solution(
        users["platform_admin"],
        exchange["flood"],
        title="Canal dredging",
        summary="Boats clear silt from the canals.",
        problem="Canals silt up.",
    )
    partners = services.matches_for_need(users["bandung_editor"], exchange["need"], services.PARTNERS)
    assert [f.item for f in partners] == [exchange["flood"]]
    assert not any("flood" in r for r in partners[0].reasons)  # the field and the SDG remain
    html = client.get(url).content.decode()
    assert "Canal dredging" in html and "text: flood" not in html.split("Across the whole platform")[0]


def test_the_need_page_query_count_does_not_grow_with_the_solutions(client, users, exchange, governments):
    client.force_login(users["bandung_editor"])
    url = reverse("solutions:need", args=[exchange["need"].pk])
    _more_solutions(governments["braunschweig"], 2)
    client.get(url)
    with assert_constant_queries() as queries:
        with queries.few():
            assert client.get(url).status_code == 200
        _more_solutions(governments["liverpool"], 12)
        with queries.many():
            html = client.get(url).content.decode()
    assert html.count("Extra ") >= 5  # the new solutions are among those shown
