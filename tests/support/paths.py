"""Where things are, whatever the folder of the test that asks."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
PROJECT = TESTS.parent
DATA = TESTS / "data"  # the twinning lists of the import tests
LOCALE = PROJECT / "kembar" / "locale"
