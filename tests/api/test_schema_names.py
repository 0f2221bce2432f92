"""The OpenAPI document names each schema once: two schemas of the same class name would share
one component, and one endpoint's answers would be described by the other's fields (a client
generated from the document, or a fuzzer, then sees a wrong contract)."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

import kembar.urls  # noqa: F401  (imports every app's router, so every schema is defined)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_api_schemas_share_a_name():
    by_name = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("kembar."):
            by_name[schema.__name__].add(f"{schema.__module__}.{schema.__qualname__}")
    shared = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not shared, shared
