"""Backup and restore: a registry comes back row for row, file for byte, or not at all."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import CommandError, call_command
from django.urls import reverse

from kembar.accounts.models import ApiToken
from kembar.dashboard import backup as bk
from kembar.dashboard.backup import BackupError, backup, clear_registry, restore
from kembar.gazetteer.models import Place, PlaceName
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.services import create_partnership, update_partnership
from tests.support.backup import as_json, fingerprint
from tests.support.paths import PROJECT

# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "agreements" / "2024").mkdir(parents=True)
    return settings.MEDIA_ROOT


@pytest.fixture
def registry(users, governments, orgs, media):
    """Partnerships with fields and history, an unverified place with its government, a token, a file."""
    editor = users["bandung_editor"]
    partnership = create_partnership(
        editor,
        governments["bandung"],
        governments["braunschweig"],
        fields=["education", "culture"],
        basis="Universities",
        notes="LoI 1960",
    )
    update_partnership(editor, partnership, notes="MoU renewed", fields=["education", "health"])
    create_partnership(editor, governments["bandung"], governments["liverpool"], public=False)
    place = Place.objects.create(
        kind=Place.Kind.UNVERIFIED, name="Kampung Naga", country_code="ID", latitude=-7.3601, longitude=107.9925
    )
    PlaceName.objects.create(place=place, name="Kampung Naga", key="kampung naga")
    village = LocalGovernment.objects.create(
        place=place, name="Kampung Naga", level="regency", traits=["heritage"], sdg_priorities=[11]
    )
    create_partnership(editor, governments["bandung"], village, check_permission=False)
    ApiToken.issue(editor, "reporting")
    document = media / "agreements" / "2024" / "MoU Bandung–Braunschweig.pdf"
    document.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    return {
        "partnership": partnership,
        "village": village,
        "document": document,
        "document_bytes": document.read_bytes(),
    }


def logs_in(client, username: str, password: str) -> bool:
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


# --------------------------------------------------------------------------- round trips


@pytest.mark.django_db
def test_restore_replaces_a_changed_registry_with_the_backup_row_for_row(registry, media, tmp_path, client):
    archive = tmp_path / "kembar.tar.gz"
    before = fingerprint()
    report = backup(archive)
    assert report.rows["partnerships.partnership"] == 3
    assert report.rows["partnerships.historicalpartnership"] >= 4
    assert report.media_files == 1

    # the registry moves on after the backup
    editor = get_user_model().objects.get(username="bandung_editor")
    editor.set_password("a-new-password-456")
    editor.save()
    update_partnership(editor, registry["partnership"], notes="changed after the backup")
    Partnership.objects.filter(government_b=registry["village"]).delete()
    get_user_model().objects.create_user("newcomer", password="pw-newcomer-123")
    registry["document"].write_bytes(b"overwritten")
    (media / "later.txt").write_text("uploaded after the backup")
    changed = fingerprint()

    with pytest.raises(BackupError, match="not empty"):
        restore(archive)
    assert fingerprint() == changed

    report = restore(archive, force=True)
    assert report.replaced
    assert as_json(fingerprint()) == as_json(before)
    assert registry["document"].read_bytes() == registry["document_bytes"]
    assert (media / "later.txt").exists(), "files the backup does not know are left in place"
    assert not [p for p in media.iterdir() if p.name.startswith(bk.STAGING_PREFIX)]
    assert logs_in(client, "bandung_editor", "pw-bandung_editor-123")
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert report.places_created == 1  # the unverified place; gazetteer places are found by GeoNames id


@pytest.mark.django_db
def test_restore_into_an_empty_registry_needs_no_force(registry, media, tmp_path):
    archive = tmp_path / "kembar.tar.gz"
    before = fingerprint()
    backup(archive)
    clear_registry()
    shutil.rmtree(media)
    assert bk.registry_rows() == {}

    report = restore(archive)
    assert not report.replaced
    assert as_json(fingerprint()) == as_json(before)
    assert registry["document"].read_bytes() == registry["document_bytes"]
    partnership = Partnership.objects.get(pk=registry["partnership"].pk)
    assert sorted(partnership.fields.values_list("code", flat=True)) == ["education", "health"]
    latest = partnership.history.first()
    assert latest.notes == "MoU renewed" and latest.history_user.username == "bandung_editor"
    assert "LoI 1960" in partnership.history.values_list("notes", flat=True)


@pytest.mark.django_db
def test_rows_are_written_as_djangos_serializer_writes_them(registry, tmp_path):
    """The fast writer must stay interchangeable with `dumpdata`'s format."""
    for model in bk.registry_models():
        out = io.StringIO()
        bk.dump._RowWriter(out, "default").write(model, model._base_manager.all())
        ours = [json.loads(line) for line in out.getvalue().splitlines()]
        django_rows = serializers.serialize("python", model._base_manager.order_by("pk"))
        theirs = json.loads(json.dumps(django_rows, cls=bk.dump._Encoder))
        for row in ours + theirs:
            for name, value in row["fields"].items():
                if isinstance(value, list) and model._meta.get_field(name).many_to_many:
                    row["fields"][name] = sorted(value, key=str)
        assert ours == theirs, model


# --------------------------------------------------------------------------- refusals


def rewrite(archive: Path, target: Path, change) -> None:
    """Copy an archive member by member, letting `change(name, bytes)` alter each one."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for info in source:
            data = change(info.name, source.extractfile(info).read())
            if data is None:
                continue
            copy = tarfile.TarInfo(info.name)
            copy.size = len(data)
            out.addfile(copy, io.BytesIO(data))


@pytest.fixture
def archive(registry, tmp_path):
    path = tmp_path / "kembar.tar.gz"
    backup(path)
    return path


def assert_nothing_written(before, media, document_bytes):
    assert fingerprint() == before
    assert sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()) == [
        "agreements/2024/MoU Bandung–Braunschweig.pdf"
    ]
    assert (media / "agreements/2024/MoU Bandung–Braunschweig.pdf").read_bytes() == document_bytes


@pytest.mark.django_db
def test_a_changed_byte_in_the_data_is_refused_and_nothing_is_written(archive, registry, media, tmp_path):
    def flip(name, data):
        if name == bk.DATA_MEMBER:
            position = data.index(b"MoU renewed")
            return data[:position] + b"N" + data[position + 1 :]
        return data

    damaged = tmp_path / "damaged.tar.gz"
    rewrite(archive, damaged, flip)
    before = fingerprint()
    with pytest.raises(BackupError, match="Checksum mismatch for data.jsonl"):
        restore(damaged, force=True)
    assert_nothing_written(before, media, registry["document_bytes"])


@pytest.mark.django_db
def test_a_changed_byte_of_the_file_itself_is_refused(archive, registry, media, tmp_path):
    blob = bytearray(archive.read_bytes())
    blob[len(blob) // 2] ^= 0x40
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(bytes(blob))
    before = fingerprint()
    with pytest.raises(BackupError, match="damaged"):
        restore(damaged, force=True)
    assert_nothing_written(before, media, registry["document_bytes"])


@pytest.mark.django_db
def test_an_unknown_format_version_is_refused(archive, tmp_path):
    def future(name, data):
        if name == bk.MANIFEST_MEMBER:
            return json.dumps({**json.loads(data), "version": 99}).encode()
        return data

    later = tmp_path / "later.tar.gz"
    rewrite(archive, later, future)
    with pytest.raises(BackupError, match="format version 99"):
        restore(later, force=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["media/../../escaped.txt", "/tmp/escaped.txt", "media//escaped.txt", "media/a\\..\\escaped.txt", "escaped.txt"],
)
def test_member_names_that_leave_media_root_are_refused(archive, registry, media, tmp_path, name):
    """Even a member the manifest lists, with the right checksum."""
    evil = b"owned"
    members = []
    with tarfile.open(archive, "r:gz") as source:
        for info in source:
            members.append((info.name, source.extractfile(info).read()))
    manifest = json.loads(dict(members)[bk.MANIFEST_MEMBER])
    manifest["members"][name] = {"size": len(evil), "sha256": hashlib.sha256(evil).hexdigest()}
    blob = json.dumps(manifest).encode()
    members = [
        members[0],
        (name, evil),
        *[m for m in members[1:] if m[0] not in (bk.MANIFEST_MEMBER, bk.SIGNATURE_MEMBER)],
        (bk.MANIFEST_MEMBER, blob),
        (bk.SIGNATURE_MEMBER, bk.manifest_signature(blob).encode()),
    ]
    crafted = tmp_path / "crafted.tar.gz"
    with tarfile.open(crafted, "w:gz") as out:
        for member, data in members:
            info = tarfile.TarInfo(member)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    before = fingerprint()
    with pytest.raises(BackupError, match="not allowed"):
        restore(crafted, force=True)
    assert_nothing_written(before, media, registry["document_bytes"])
    assert not (tmp_path / "escaped.txt").exists()


def with_members(
    archive: Path, target: Path, extra: list[tuple[tarfile.TarInfo, bytes]], *, listed: bool = True
) -> None:
    """The archive with `extra` members added after the data, listed in the manifest with their
    true checksums unless not `listed`, and signed with this installation's key: only the
    checks on the members themselves stand in the way."""
    with tarfile.open(archive, "r:gz") as source:
        members = [(info.name, source.extractfile(info).read()) for info in source]
    manifest = json.loads(dict(members)[bk.MANIFEST_MEMBER])
    if listed:
        for info, data in extra:
            manifest["members"][info.name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    blob = json.dumps(manifest).encode()
    with tarfile.open(target, "w:gz") as out:
        for name, data in members:
            if name in (bk.MANIFEST_MEMBER, bk.SIGNATURE_MEMBER):
                continue
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
        for info, data in extra:
            info.size = len(data) if info.isreg() else 0
            out.addfile(info, io.BytesIO(data) if info.isreg() else None)
        for name, data in ((bk.MANIFEST_MEMBER, blob), (bk.SIGNATURE_MEMBER, bk.manifest_signature(blob).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def regular(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def symlink(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info


DOCUMENT = "media/agreements/2024/MoU Bandung–Braunschweig.pdf"


@pytest.mark.django_db
def test_a_member_held_twice_is_refused(archive, registry, media, tmp_path):
    crafted = tmp_path / "crafted.tar.gz"
    with_members(archive, crafted, [(regular(DOCUMENT), registry["document_bytes"])])
    before = fingerprint()
    with pytest.raises(BackupError, match="holds media/agreements/2024/MoU Bandung–Braunschweig.pdf twice"):
        restore(crafted, force=True)
    assert_nothing_written(before, media, registry["document_bytes"])


@pytest.mark.django_db
def test_a_symbolic_link_member_is_refused(archive, registry, media, tmp_path):
    crafted = tmp_path / "crafted.tar.gz"
    with_members(archive, crafted, [(symlink("media/agreements/passwd", "/etc/passwd"), b"")])
    before = fingerprint()
    with pytest.raises(BackupError, match="media/agreements/passwd is not a regular file"):
        restore(crafted, force=True)
    assert_nothing_written(before, media, registry["document_bytes"])


@pytest.mark.django_db
def test_a_member_the_manifest_does_not_list_is_refused(archive, registry, media, tmp_path):
    crafted = tmp_path / "crafted.tar.gz"
    with_members(archive, crafted, [(regular("media/agreements/extra.pdf"), b"%PDF-1.7 unlisted")], listed=False)
    before = fingerprint()
    with pytest.raises(BackupError, match="media/agreements/extra.pdf is not listed in the manifest"):
        restore(crafted, force=True)
    assert_nothing_written(before, media, registry["document_bytes"])


@pytest.mark.django_db
def test_a_folder_of_media_root_linking_outside_is_not_written_through(archive, registry, media, tmp_path):
    """A signed, intact archive; but MEDIA_ROOT/reports is a link to a folder outside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (media / "reports").symlink_to(outside, target_is_directory=True)
    crafted = tmp_path / "crafted.tar.gz"
    with_members(archive, crafted, [(regular("media/reports/laporan.pdf"), b"%PDF-1.7 report")])
    before = fingerprint()
    with pytest.raises(BackupError, match="cannot be written inside MEDIA_ROOT"):
        restore(crafted, force=True)
    assert list(outside.iterdir()) == []
    assert fingerprint() == before
    assert (media / "agreements/2024/MoU Bandung–Braunschweig.pdf").read_bytes() == registry["document_bytes"]
    assert not [p for p in media.iterdir() if p.name.startswith(bk.STAGING_PREFIX)]


@pytest.mark.django_db
def test_a_file_of_media_root_that_is_a_link_is_not_replaced(archive, registry, media, tmp_path):
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"not the registry's")
    registry["document"].unlink()
    registry["document"].symlink_to(outside)
    before = fingerprint()
    with pytest.raises(BackupError, match="cannot be written inside MEDIA_ROOT"):
        restore(archive, force=True)
    assert fingerprint() == before
    assert registry["document"].is_symlink() and outside.read_bytes() == b"not the registry's"


def recrafted(archive: Path, target: Path, change_data, *, sign: bool = True) -> None:
    """The archive with data.jsonl changed and the manifest's checksums made to match, as someone
    editing a backup would; signed with this installation's key only when `sign`."""
    with tarfile.open(archive, "r:gz") as source:
        members = {info.name: source.extractfile(info).read() for info in source}
    data = change_data(members.pop(bk.DATA_MEMBER))
    manifest = json.loads(members.pop(bk.MANIFEST_MEMBER))
    members.pop(bk.SIGNATURE_MEMBER)
    manifest["members"][bk.DATA_MEMBER] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    blob = json.dumps(manifest).encode()
    ordered = [(bk.DATA_MEMBER, data), *members.items(), (bk.MANIFEST_MEMBER, blob)]
    if sign:
        ordered.append((bk.SIGNATURE_MEMBER, bk.manifest_signature(blob).encode()))
    with tarfile.open(target, "w:gz") as out:
        for name, content in ordered:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            out.addfile(info, io.BytesIO(content))


def with_an_added_superuser(data: bytes) -> bytes:
    lines = data.decode().splitlines()
    user = next(json.loads(line) for line in lines if json.loads(line)["model"] == "auth.user")
    intruder = {**user, "pk": 9999, "fields": {**user["fields"], "username": "intruder", "is_superuser": True}}
    at = next(i for i, line in enumerate(lines) if json.loads(line)["model"] == "auth.user")
    lines.insert(at, json.dumps(intruder))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.django_db
def test_an_archive_edited_consistently_is_refused_by_its_signature(archive, registry, media, tmp_path):
    """The checksums match the edited manifest; only the key kept outside the archive tells."""
    edited = tmp_path / "edited.tar.gz"
    recrafted(archive, edited, with_an_added_superuser, sign=False)
    with tarfile.open(edited, "r:gz") as source:  # re-add the original, now stale, signature
        members = [(i.name, source.extractfile(i).read()) for i in source]
    with tarfile.open(archive, "r:gz") as source:
        stale = next(source.extractfile(i).read() for i in source if i.name == bk.SIGNATURE_MEMBER)
    with tarfile.open(edited, "w:gz") as out:
        for name, content in [*members, (bk.SIGNATURE_MEMBER, stale)]:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            out.addfile(info, io.BytesIO(content))
    before = fingerprint()
    with pytest.raises(BackupError, match="does not match this installation's backup key"):
        restore(edited, force=True)
    assert_nothing_written(before, media, registry["document_bytes"])
    assert not get_user_model().objects.filter(username="intruder").exists()


@pytest.mark.django_db
def test_an_unsigned_archive_is_refused_unless_trusted(archive, registry, media, tmp_path):
    unsigned = tmp_path / "unsigned.tar.gz"
    rewrite(archive, unsigned, lambda name, data: None if name == bk.SIGNATURE_MEMBER else data)
    with pytest.raises(BackupError, match="is not signed"):
        bk.verify(unsigned)
    with pytest.raises(CommandError, match="--trust-unsigned"):
        call_command("restore", str(unsigned), "--force", "--no-progress")
    assert bk.verify(unsigned, trust_unsigned=True)["format"] == bk.FORMAT
    restore(unsigned, force=True, trust_unsigned=True)
    assert Partnership.objects.filter(pk=registry["partnership"].pk).exists()


@pytest.mark.django_db
def test_an_archive_signed_with_another_key_is_refused(archive, settings):
    settings.KEMBAR_BACKUP_KEY = "the key of another installation"
    with pytest.raises(BackupError, match="another key"):
        bk.verify(archive)


@pytest.mark.django_db
def test_a_crafted_row_missing_a_required_value_names_the_row_and_writes_nothing(archive, registry, media, tmp_path):
    """An outside test got a raw IntegrityError traceback here (nothing was written)."""

    def drop_kind(data: bytes) -> bytes:
        lines = []
        for line in data.decode().splitlines():
            record = json.loads(line)
            if record["model"] == "partnerships.partnership" and record["pk"] == registry["partnership"].pk:
                record["fields"]["government_a"] = None
            lines.append(json.dumps(record))
        return ("\n".join(lines) + "\n").encode()

    crafted = tmp_path / "crafted.tar.gz"
    recrafted(archive, crafted, drop_kind)
    before = fingerprint()
    with pytest.raises(BackupError) as refused:
        restore(crafted, force=True)
    message = str(refused.value)
    assert f"Row {registry['partnership'].pk} of partnerships.partnership" in message
    assert "nothing was restored" in message
    assert_nothing_written(before, media, registry["document_bytes"])


@pytest.mark.parametrize(
    "name, safe",
    [
        ("media/agreements/a.pdf", True),
        ("media/a b/ü.txt", True),
        ("media/../x", False),
        ("media/a/../../x", False),
        ("media/", False),
        ("media/./x", False),
        ("x/media/a", False),
        ("/media/a", False),
        ("media/C:/x", False),
        ("media/.kembar-restore-1/x", False),
    ],
)
def test_safe_media_names(name, safe):
    assert (bk.safe_media_name(name) is not None) == safe


# --------------------------------------------------------------------------- the commands


@pytest.mark.django_db
def test_commands_report_refuse_and_replace(registry, tmp_path):
    archive = tmp_path / "kembar.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), "--no-progress", stdout=out)
    assert "Backup written to" in out.getvalue() and "SHA-256" in out.getvalue()

    out = io.StringIO()
    call_command("restore", str(archive), "--check", "--no-progress", stdout=out)
    assert "is intact" in out.getvalue()

    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive), "--no-progress", stdout=io.StringIO())

    out = io.StringIO()
    call_command("restore", str(archive), "--force", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "checksums match" in text and "has been replaced" in text
    assert "partnerships.partnership: 3" in text and "1 media files" in text

    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), stdout=io.StringIO())


# --------------------------------------------------------------------------- across databases

PG_URL = os.environ.get("KEMBAR_TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SCRATCH = f"kembar_restore_test_{os.getpid()}"  # unique: two runs on one machine must not share it

CSV = """city1,country1,lat1,lng1,city2,country2,lat2,lng2
Bandung,Indonesia,-6.9147,107.6098,Surabaya,Indonesia,-7.2458,112.7378
Surabaya,Indonesia,-7.2458,112.7378,Kampung Naga Lor,Indonesia,-7.36,107.99
"""

SETUP = """
from django.contrib.auth.models import User
from django.db.models import Q
from kembar.accounts.models import ApiToken, Membership, Organisation
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.services import update_partnership
gov = LocalGovernment.objects.get(name="Bandung")
org = Organisation.objects.create(name="Bagian Kerja Sama Kota Bandung", local_government=gov)
user = User.objects.create_user("officer", password="pw-officer-123")
Membership.objects.create(user=user, organisation=org, role="editor")
ApiToken.issue(user, "reporting")
partnership = Partnership.objects.filter(Q(government_a=gov) | Q(government_b=gov)).get()
update_partnership(user, partnership, notes="MoU 1997", fields=["education"])
"""

FINGERPRINT = """
import json
from django.contrib.auth.models import User
from tests.support.backup import as_json, fingerprint
print("FINGERPRINT " + as_json({"rows": fingerprint(), "login": User.objects.get(username="officer").check_password("pw-officer-123")}))
"""

ADD_USER = """
User.objects.create_user("second")
"""


def kembar(database_url: str, media_root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root), "LANGUAGE_CODE": "en"}
    env.pop("TEST_DATABASE_NAME", None)
    result = subprocess.run(
        [sys.executable, "-m", "kembar.cli", *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(f"kembar {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def fingerprint_from(result: subprocess.CompletedProcess) -> dict:
    line = next(line for line in result.stdout.splitlines() if line.startswith("FINGERPRINT "))
    return json.loads(line[len("FINGERPRINT ") :])


def postgres_reachable() -> bool:
    if not shutil.which("createdb"):
        return False
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432"], capture_output=True).returncode == 0


@pytest.fixture
def scratch_postgres():
    if not postgres_reachable():
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not reachable (pg_isready), or createdb is missing")
    drop = ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", SCRATCH]
    subprocess.run(drop, capture_output=True, check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", SCRATCH], capture_output=True, check=True)
    yield PG_URL.rsplit("/", 1)[0] + "/" + SCRATCH
    subprocess.run(drop, capture_output=True)


def copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def test_a_sqlite_backup_restores_on_postgresql_and_back(tmp_path, scratch_postgres):
    """SQLite → PostgreSQL without a gazetteer (places come from the backup) → SQLite with one."""
    sqlite_a, sqlite_b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    url_a, url_b = f"sqlite:///{sqlite_a}", f"sqlite:///{sqlite_b}"
    media_a, media_pg, media_b = tmp_path / "media-a", tmp_path / "media-pg", tmp_path / "media-b"
    (media_a / "reports").mkdir(parents=True)
    (media_a / "reports" / "laporan 2024.pdf").write_bytes(os.urandom(20000))
    (tmp_path / "pairs.csv").write_text(CSV, encoding="utf-8")

    kembar(url_a, media_a, "migrate", "-v0")
    kembar(url_a, media_a, "load-gazetteer", "--country", "ID", "--no-progress")
    copy_sqlite(sqlite_a, sqlite_b)  # b: the same gazetteer, an empty registry
    kembar(url_a, media_a, "import-links", str(tmp_path / "pairs.csv"), "--no-progress")
    original = fingerprint_from(kembar(url_a, media_a, "shell", "-c", SETUP + FINGERPRINT))
    assert original["login"] and original["rows"]["unverified places"]
    kembar(url_a, media_a, "backup", str(tmp_path / "from-sqlite.tar.gz"), "--no-progress")

    kembar(scratch_postgres, media_pg, "migrate", "-v0")
    restored = kembar(scratch_postgres, media_pg, "restore", str(tmp_path / "from-sqlite.tar.gz"), "--no-progress")
    assert "load-gazetteer" in restored.stdout  # no gazetteer here: the places came from the backup
    # the sequences moved past the restored ids, so new rows can be written after the check
    on_pg = fingerprint_from(kembar(scratch_postgres, media_pg, "shell", "-c", FINGERPRINT + ADD_USER))
    assert on_pg == original
    assert (media_pg / "reports" / "laporan 2024.pdf").read_bytes() == (
        media_a / "reports" / "laporan 2024.pdf"
    ).read_bytes()
    refused = kembar(
        scratch_postgres, media_pg, "restore", str(tmp_path / "from-sqlite.tar.gz"), "--no-progress", check=False
    )
    assert refused.returncode != 0 and "--force" in refused.stderr

    kembar(scratch_postgres, media_pg, "backup", str(tmp_path / "from-pg.tar.gz"), "--no-progress")
    kembar(url_b, media_b, "restore", str(tmp_path / "from-pg.tar.gz"), "--no-progress")
    again = fingerprint_from(kembar(url_b, media_b, "shell", "-c", FINGERPRINT))
    assert again["login"]
    assert [u["username"] for u in again["rows"]["auth.user"]] == ["officer", "second"]
    for label, rows in original["rows"].items():
        if label != "auth.user":
            assert again["rows"][label] == rows, label
