"""The gates in hardening/ read the server's log: the parts that decide pass or fail, without a
live server."""

from hardening import live

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
