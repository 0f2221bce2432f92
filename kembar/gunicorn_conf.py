"""gunicorn settings for `make serve`, from the environment.

BIND              address to listen on (default 127.0.0.1:$PORT; PORT defaults to 8000)
WEB_CONCURRENCY   worker processes (default: the number of CPUs, at least 2, at most 4)
GUNICORN_TIMEOUT  seconds before a stuck worker is restarted (default 30)
GUNICORN_PRELOAD  "0" to load the application in each worker instead of once (default on)

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
# The application (settings, every app, the URLs and the API's schemas) is loaded once in the
# master, before the workers are forked (kembar/wsgi.py): a worker starts at once and shares that
# memory, instead of each one importing everything on its first request, which took longer than
# the timeout on a busy machine and got workers killed before they had served anything. Nothing
# opens a database connection at import, so no connection is shared between workers.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() not in {"0", "false", "no", "off"}
