import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kembar.settings")
application = get_wsgi_application()

# Import the URLs (and with them every view and the API) now rather than on the first request:
# under gunicorn's preload_app (kembar/gunicorn_conf.py) that happens once, before the fork.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns
