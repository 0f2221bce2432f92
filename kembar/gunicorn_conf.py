"""gunicorn settings for `make serve`, from the environment.

BIND              address to listen on (default 127.0.0.1:$PORT; PORT defaults to 8000)
WEB_CONCURRENCY   worker processes (default: the number of CPUs, at least 2, at most 4)
GUNICORN_TIMEOUT  seconds before a stuck worker is restarted (default 30)

The app servers keep nothing of their own between requests (sessions, login failures and data
are in the database), so more of them behind one proxy is all horizontal scaling takes.
"""

import os

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(4, max(2, os.cpu_count() or 2)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Each request is logged by the application (kembar.request: id, user, status, duration; JSON on
# stderr), so gunicorn keeps only its own errors.
accesslog = None
errorlog = "-"
# A worker is recycled now and then so that a slow leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200
