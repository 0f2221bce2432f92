"""The `kembar` console script runs the manage commands, with dashes, as a user would run them."""

import os
import subprocess
import sys

import pytest

from tests.support.paths import PROJECT

pytestmark = pytest.mark.django_db


def test_console_script_runs_manage_commands_with_dashes(tmp_path):
    """`kembar load-gazetteer` etc. work against whatever DATABASE_URL says (here a fresh file)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "LANGUAGE_CODE": "en"}
    kembar = [sys.executable, "-m", "kembar.cli"]
    subprocess.run(kembar + ["migrate", "-v0"], env=env, check=True, cwd=PROJECT)
    done = subprocess.run(
        kembar + ["load-gazetteer", "--country", "ID", "--no-progress"],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Places created" in done.stdout
    unknown = subprocess.run(kembar + ["partners", "Bandung,ID"], env=env, cwd=PROJECT, capture_output=True, text=True)
    assert unknown.returncode != 0 and "No registered local government" in unknown.stderr
