"""The oversight roll-up (/oversight/) in the permission sweep (tests/test_permission_sweep.py):
asking for its tables as a file writes a report row the job queue builds (a 404 for anyone
without a roll-up; an oversight body, national or provincial, gets the status page of its own
scope's file)."""

from __future__ import annotations

EXPORT = ("post", "oversight/export/")
PAGE_BODIES = {
    "oversight/export/": lambda w, url: {"format": "csv"},
}
ALLOWED_BY_DESIGN = {
    (principal, *EXPORT): "an oversight body may have its roll-up's tables as a file "
    "(permissions.rollup_scope); the job queue writes it, for the requester only"
    for principal in ("oversight", "other_province")
}
ALLOWED_BY_DESIGN_CHANGES = {EXPORT: {"insights.ReportFile"}}
