"""Cells that a spreadsheet shows as written, for every CSV and XLSX kembar writes.

Text that reaches an export comes from many hands (a government's name from the API or the
twinning import, an activity's title from a partner office), and a spreadsheet program reads
text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula:
`=HYPERLINK("http://…")` would become a live link in every partner's report. So:

- CSV: such text gets a leading apostrophe, which spreadsheet programs read as "this is text"
  (the OWASP advice for CSV injection);
- XLSX: such text is stored as a string cell, never a formula, and keeps its characters;
  C0 control characters, which the XLSX format cannot hold at all, are removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(values: dict[str, Any]) -> dict[str, Any]:
    return {key: csv_cell(value) for key, value in values.items()}


def read_csv_cell(value: str) -> str:
    """A cell as `csv_cell` wrote it, without the apostrophe it added (imports read exports)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def xlsx_row(sheet, values: Iterable[Any]) -> list:
    """Cells for `sheet.append(...)`, in a normal or a write-only worksheet."""
    cells = []
    for value in values:
        if not isinstance(value, str):
            cells.append(value)
            continue
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # text, even when it starts like a formula
        cells.append(cell)
    return cells
