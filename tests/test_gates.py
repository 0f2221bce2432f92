"""The gates in hardening/ read the server's log and sum up findings: the parts that decide
pass or fail, without a live server."""

from hardening import live, replay

JSON_LOG = "\n".join(
    [
        '{"time": "t", "level": "INFO", "logger": "kembar.request", "message": "GET / 200", "status": 200}',
        '{"time": "t", "level": "ERROR", "logger": "django.request", "message": "Internal Server Error", '
        '"status_code": 500, "traceback": "Traceback ..."}',
        '{"time": "t", "level": "ERROR", "logger": "kembar.request", "message": "POST /api/x 500", "status": 500}',
        "[2026-12-06 16:00:00 +0000] [12] [INFO] Booting worker with pid: 12",
        '127.0.0.1 - - [06/Dec/2026:16:00:00 +0000] "GET /api/places HTTP/1.1" 404 31 "-" "curl"',
    ]
)


def test_server_errors_are_counted_from_kembars_json_request_lines():
    """gunicorn's access log is off: a 5xx shows only in kembar.request's JSON line, once."""
    statuses = live.response_statuses(JSON_LOG)
    assert statuses == {"200": 1, "500": 1, "404": 1}
    assert live.server_errors(statuses) == 1


def test_a_failed_finding_fails_the_replay():
    outcomes = [replay.Outcome(1, True, "refused"), replay.Outcome(4, False, "answered 500")]
    lines, status = replay.report_lines(outcomes)
    assert status == 1
    assert lines[0].startswith(" 1 held") and lines[1].startswith(" 4 FAILED")
    assert "FAILED: 1 held, 1 failed (4)" in replay.summary_line(outcomes, 12)
    lines, status = replay.report_lines([replay.Outcome(4, True, "answered 201")])
    assert status == 0 and "passed: 1 held, 0 failed" in replay.summary_line([replay.Outcome(4, True, "")], 3)


def test_a_tooltip_bound_to_a_string_is_caught():
    safe = 'var label = document.createElement("span");\nlabel.textContent = p.name;\nmarker.bindTooltip(label);'
    assert replay.string_tooltips(safe) == (1, [])
    assert replay.string_tooltips("marker.bindTooltip(p.name);") == (1, ["bindTooltip(p.name)"])
    assert replay.string_tooltips('m.bindPopup("<b>" + name + "</b>", {})')[1] == ['bindPopup("<b>" + name + "</b>")']
    assert replay.string_tooltips("var x = 1;") == (0, [])
