"""The oversight roll-up (/oversight/) in the permission sweep (tests/test_permission_sweep.py):
its files in each format (a 404 for anyone without a roll-up, a file for an oversight body)."""

from __future__ import annotations

ROUTE_URLS = {
    "oversight/export.<str:fmt>": lambda w: [f"/oversight/export.{fmt}" for fmt in ("csv", "xlsx", "pdf")],
}
