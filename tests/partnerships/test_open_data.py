"""The registry as open data: what is in the files (public partnerships only, ids, sources), the
three formats (the data package validated by the Frictionless reference implementation), the
command, the public page and the API."""

import csv
import io
import json
import zipfile

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kembar.partnerships import opendata
from kembar.partnerships.models import Partnership
from kembar.partnerships.vocab import Source
from tests.support.builders import government, private_friendship, sister_cities

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_build_under_way():
    """The "a rebuild is queued" mark lives in the cache, which outlives a test."""
    cache.delete(opendata.BUILD_LOCK)
    yield
    cache.delete(opendata.BUILD_LOCK)


@pytest.fixture
def registry(governments):
    """Bandung–Braunschweig (an office's, public), Bandung–Kyoto (private), Surabaya–Liverpool
    (imported from a public list), Busan–Liverpool (imported, a hostile name on one side)."""
    sister_cities(governments)
    private_friendship(governments)
    a, b = sorted([governments["surabaya"], governments["liverpool"]], key=lambda g: g.pk)
    Partnership.objects.create(government_a=a, government_b=b, source=Source.IMPORT)
    busan = governments["busan"]
    busan.name = '=HYPERLINK("http://evil.example","Busan")'
    busan.save()
    a, b = sorted([busan, governments["liverpool"]], key=lambda g: g.pk)
    Partnership.objects.create(government_a=a, government_b=b, source=Source.IMPORT)
    return governments


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_holds_public_partnerships_with_ids_and_sources(registry):
    out = io.StringIO()
    assert opendata.write_csv(out) == 3
    rows = read_csv(out.getvalue())
    assert list(rows[0]) == [name for name, _kind, _what in opendata.PARTNERSHIP_COLUMNS]
    pairs = {frozenset((r["a_name"], r["b_name"])): r for r in rows}
    assert frozenset(("Bandung", "Kyoto")) not in pairs  # private stays out
    office = pairs[frozenset(("Bandung", "Braunschweig"))]
    assert (office["source"], office["confirmed"], office["since"]) == ("office", "true", "1960-01-01")
    assert office["fields"] == "culture;education"
    bandung_side = "a" if office["a_name"] == "Bandung" else "b"
    bandung = registry["bandung"]
    assert office[f"{bandung_side}_id"] == str(bandung.pk)
    assert office[f"{bandung_side}_geonames_id"] == str(bandung.place.geonameid)
    assert office[f"{bandung_side}_country"] == "ID"
    assert office["url"].endswith(f"/partnerships/{office['id']}/")
    imported = pairs[frozenset(("Surabaya", "Liverpool"))]
    assert (imported["source"], imported["confirmed"]) == ("public_list", "false")


def test_a_name_that_starts_like_a_formula_is_written_as_text(registry):
    out = io.StringIO()
    opendata.write_csv(out)
    names = {r["a_name"] for r in read_csv(out.getvalue())} | {r["b_name"] for r in read_csv(out.getvalue())}
    assert '\'=HYPERLINK("http://evil.example","Busan")' in names
    assert not any(n.startswith("=") for n in names)


def test_geojson_draws_a_line_between_the_two_governments(registry):
    out = io.StringIO()
    assert opendata.write_geojson(out) == 3
    collection = json.loads(out.getvalue())
    assert collection["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in collection["features"]}
    p = Partnership.objects.get(
        government_a__name__in=["Bandung", "Braunschweig"], government_b__name__in=["Bandung", "Braunschweig"]
    )
    feature = by_id[p.pk]
    start, end = feature["geometry"]["coordinates"]
    a = p.government_a.place
    assert start == [a.longitude, a.latitude]  # GeoJSON is longitude first
    assert feature["properties"]["kind"] == "sister_city"


def test_data_package_validates_against_its_own_schema(registry, tmp_path):
    frictionless = pytest.importorskip("frictionless", reason="frictionless is in the test extras")
    path = tmp_path / "registry.zip"
    assert opendata.write("datapackage", path) == 3
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["datapackage.json", "governments.csv", "partnerships.csv"]
        archive.extractall(tmp_path / "package")
        descriptor = json.loads(archive.read("datapackage.json"))
    assert {s["title"].split(",")[0] for s in descriptor["sources"]} >= {"Wikipedia"}
    assert {licence["name"] for licence in descriptor["licenses"]} == {"CC-BY-SA-4.0", "CC-BY-4.0"}
    report = frictionless.validate(str(tmp_path / "package" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    governments = read_csv((tmp_path / "package" / "governments.csv").read_text())
    assert "Kyoto" not in {g["name"] for g in governments}  # only in a private partnership


def test_data_package_validation_catches_a_broken_row(registry, tmp_path):
    """The check above can fail: a partnership naming a government the package lacks is refused."""
    frictionless = pytest.importorskip("frictionless", reason="frictionless is in the test extras")
    opendata.write("datapackage", tmp_path / "registry.zip")
    with zipfile.ZipFile(tmp_path / "registry.zip") as archive:
        archive.extractall(tmp_path / "package")
    governments = tmp_path / "package" / "governments.csv"
    lines = governments.read_text().splitlines()
    governments.write_text("\n".join(lines[:-1]) + "\n")
    assert not frictionless.validate(str(tmp_path / "package" / "datapackage.json")).valid


def test_rows_take_a_fixed_number_of_queries(registry):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            list(opendata.partnership_rows())
        return len(queries)

    few = count()
    for name in ("Yokohama", "Nagoya", "Osaka", "Kobe"):
        other = government(name, "JP")
        a, b = sorted([registry["bandung"], other], key=lambda g: g.pk)
        Partnership.objects.create(government_a=a, government_b=b, source=Source.IMPORT)
    assert count() == few


def test_command_writes_each_format_and_refuses_a_folder(registry, tmp_path, capsys):
    for fmt in opendata.FORMATS:
        target = tmp_path / f"out.{fmt}"
        call_command("export_registry", "--format", fmt, "--output", str(target))
        assert target.stat().st_size > 100
    assert "3 public partnerships" in capsys.readouterr().out
    with pytest.raises(CommandError, match="folder"):
        call_command("export_registry", "--format", "csv", "--output", str(tmp_path))
    with pytest.raises(CommandError, match="--output"):
        call_command("export_registry", "--format", "csv")


def test_page_builds_then_serves_the_files_to_anyone(registry, client):
    page = client.get("/partnerships/open-data/")  # the immediate queue builds them at once
    assert page.status_code == 200
    text = page.content.decode()
    assert "kembar-registry-datapackage.zip" in text and "CC BY-SA 4.0" in text
    download = client.get("/partnerships/open-data/csv/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="kembar-partnerships.csv"')
    body = b"".join(download.streaming_content).decode()
    assert "Braunschweig" in body and "Kyoto" not in body
    assert client.get("/partnerships/open-data/xlsx/").status_code == 404


def test_a_change_to_the_registry_rebuilds_the_files(registry, client, api):
    first = api("get", "/api/registry/open-data").json()
    assert first["partnerships"] == 3 and not first["stale"]
    assert {f["format"] for f in first["files"]} == set(opendata.FORMATS)
    Partnership.objects.filter(source=Source.IMPORT).update(public=False)
    assert opendata.publication().stale
    again = api("get", "/api/registry/open-data").json()
    assert again["partnerships"] == 1 and not again["stale"]


def test_no_files_yet_says_so(registry, client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    page = client.get("/partnerships/open-data/")
    assert "being prepared" in page.content.decode()
    assert client.get("/partnerships/open-data/csv/").status_code == 404
