"""The site's settings with the benchmark's bare view (benchmarks/urls.py) routed too."""

from kembar.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
