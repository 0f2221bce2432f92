"""The `kembar` console script and its everyday commands, run as a user would run them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kembar.accounts.models import Membership, Organisation
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.portal.demo import PARTNERSHIPS, load_demo

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_demo_is_idempotent_and_creates_offices_and_users():
    first = load_demo()
    assert first["partnerships"] == len(PARTNERSHIPS)
    counts = (
        LocalGovernment.objects.count(),
        Partnership.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )
    assert load_demo() == {"governments": 0, "partnerships": 0, "organisations": 0, "users": 0}
    assert counts == (
        LocalGovernment.objects.count(),
        Partnership.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )
    bandung = Organisation.objects.get(name="Bagian Kerja Sama Kota Bandung")
    assert bandung.memberships.filter(user__username="bandung", role="editor").exists()
    kyoto = LocalGovernment.objects.get(place__subdivision_code="JP-26")
    assert (
        Partnership.objects.filter(government_a__place__subdivision_code="ID-YO", government_b=kyoto).exists()
        or Partnership.objects.filter(government_b__place__subdivision_code="ID-YO", government_a=kyoto).exists()
    )


def test_console_script_runs_manage_commands_with_dashes(tmp_path):
    """`kembar load-gazetteer` etc. work against whatever DATABASE_URL says (here a fresh file)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "LANGUAGE_CODE": "en"}
    kembar = [sys.executable, "-m", "kembar.cli"]
    subprocess.run(kembar + ["migrate", "-v0"], env=env, check=True, cwd=ROOT)
    done = subprocess.run(
        kembar + ["load-gazetteer", "--country", "ID", "--no-progress"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Places created" in done.stdout
    unknown = subprocess.run(kembar + ["partners", "Bandung,ID"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert unknown.returncode != 0 and "No registered local government" in unknown.stderr
