"""The one check that a page, an API call or a function costs as many queries with many rows as
with few.

    with assert_constant_queries() as queries:
        client.get(url)  # warm-ups, if any, stay outside the measurements
        with queries.few():
            assert client.get(url).status_code == 200
        add_rows(30)
        with queries.many():
            assert client.get(url).status_code == 200

Leaving the `with` block compares the two measurements and fails, naming both counts and the
queries made only with many rows (or only with few), when they differ. Several things can be
measured in one block, each under its own key (`queries.few(url)`, `queries.many(url)`); each is
compared on its own. `allow_fewer=True` accepts fewer queries with many rows (never more).

`queries.few()` and `queries.many()` give Django's CaptureQueriesContext, so a test can also
bound a count (`assert len(few) <= 6`) or read the SQL.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

SHOWN_QUERIES = 20
SHOWN_SQL_CHARS = 400

_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
_LISTS = re.compile(r"\(\?(?:, \?)*\)")
_SAVEPOINTS = re.compile(r'"s\d+_x\d+"')


def _shape(sql: str) -> str:
    """The query with its literal values (and the length of its IN lists) left out: the same
    query for other rows looks alike."""
    return _LISTS.sub("(?)", _LITERALS.sub("?", _SAVEPOINTS.sub('"s?"', sql)))


def _only_in(these: list[str], those: list[str]) -> list[str]:
    """The queries of `these` that `those` has no query of the same shape for."""
    left = Counter(_shape(sql) for sql in those)
    out = []
    for sql in these:
        if left[_shape(sql)]:
            left[_shape(sql)] -= 1
        else:
            out.append(sql)
    return out


def _listing(title: str, queries: list[str]) -> list[str]:
    """The queries, those of one shape together (`24 × SELECT … WHERE id = 7`: an N+1)."""
    if not queries:
        return []
    shapes: dict[str, list[str]] = {}
    for sql in queries:
        shapes.setdefault(_shape(sql), []).append(sql)
    lines = [f"{title} ({len(queries)}):"]
    for same in list(shapes.values())[:SHOWN_QUERIES]:
        sql = same[0] if len(same[0]) <= SHOWN_SQL_CHARS else same[0][:SHOWN_SQL_CHARS] + " …"
        lines.append(f"  {len(same)} × {sql}" if len(same) > 1 else f"  {sql}")
    if len(shapes) > SHOWN_QUERIES:
        lines.append(f"  … and {len(shapes) - SHOWN_QUERIES} more kinds of query")
    return lines


class QueryCounts:
    """The measurements of one `assert_constant_queries` block, by key."""

    def __init__(self, using: str, allow_fewer: bool):
        self.connection = connections[using]
        self.allow_fewer = allow_fewer
        self.few_queries: dict[object, list[str]] = {}
        self.many_queries: dict[object, list[str]] = {}

    @contextmanager
    def _measure(self, into: dict, key, which: str) -> Iterator[CaptureQueriesContext]:
        if key in into:
            raise AssertionError(f"{which} rows measured twice for {key!r}")
        with CaptureQueriesContext(self.connection) as captured:
            yield captured
        into[key] = [q["sql"] for q in captured.captured_queries]

    def few(self, key=None):
        """Measures the queries made inside, with few rows."""
        return self._measure(self.few_queries, key, "few")

    def many(self, key=None):
        """Measures the queries made inside, with many rows."""
        return self._measure(self.many_queries, key, "many")

    def problems(self) -> list[str]:
        keys = [*self.few_queries, *(k for k in self.many_queries if k not in self.few_queries)]
        if not keys:
            return ["Nothing was measured: use queries.few() and queries.many() inside the block."]
        out = []
        for key in keys:
            what = "" if key is None else f" ({key})"
            if key not in self.many_queries or key not in self.few_queries:
                missing = "many" if key not in self.many_queries else "few"
                out.append(f"Nothing measured with {missing} rows{what}.")
                continue
            few, many = self.few_queries[key], self.many_queries[key]
            if len(many) == len(few) or (self.allow_fewer and len(many) < len(few)):
                continue
            lines = [
                f"The number of queries changes with the rows{what}: {len(few)} with few rows, {len(many)} with many."
            ]
            lines += _listing("Made only with many rows", _only_in(many, few))
            lines += _listing("Made only with few rows", _only_in(few, many))
            out.append("\n".join(lines))
        return out

    def check(self) -> None:
        problems = self.problems()
        if problems:
            raise AssertionError("\n\n".join(problems))


@contextmanager
def assert_constant_queries(*, allow_fewer: bool = False, using: str = DEFAULT_DB_ALIAS) -> Iterator[QueryCounts]:
    """Fails, when the block ends, if what was measured with many rows made more queries (or,
    unless `allow_fewer`, fewer) than with few rows. See the module's docstring."""
    counts = QueryCounts(using, allow_fewer)
    yield counts
    counts.check()
