"""Fixtures of core's cache tests."""

import pytest
from django.core.cache import cache


@pytest.fixture
def pages_cached(settings):
    """The caches on, as outside the tests, and empty before and after."""
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60  # the default outside the tests
    cache.clear()
    yield
    cache.clear()
