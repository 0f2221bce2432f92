"""CSV and XLSX export of activities with all their fields, and import of the same format.

Times are written in UTC (ISO 8601, "Z"); `timezone`, `start_local`, `end_local` and
`when_local` (the span as the pages show it: "1–14 Mar 2027 (starts 09:00 CST, ends 17:00 CDT)")
are for the reader and ignored on import. An imported row with an `id` of an existing activity of the same partnership
updates it; any other row creates one. A column left out of the file (or an empty modality,
status, public or date_tbd) takes its default in a new activity and keeps its value in an updated
one. Every row is checked and reported with its line number and what is wrong; one bad row and
nothing is imported.
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from kembar.core import times
from kembar.core.spreadsheets import csv_row, read_csv_cell, xlsx_row
from kembar.core.uploads import ArchiveTooLarge, check_archive
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.services import GovernmentLookupError, government_lookup_message, resolve_government

from . import queries, recurrence, services
from .models import Activity

# The activity's own fields (services.ACTIVITY_FIELDS, in their order), with the partnership before
# them and the reader's local-time columns after the time.
_AFTER_TIME = services.ACTIVITY_FIELDS.index("recurrence")
COLUMNS = [
    "id",
    "partnership_id",
    "government_a",
    "government_b",
    *services.ACTIVITY_FIELDS[:_AFTER_TIME],
    "timezone",
    "start_local",
    "end_local",
    "when_local",
    "date_tbd",
    *services.ACTIVITY_FIELDS[_AFTER_TIME:],
    "planned_start",
    "planned_modality",
]


def _gov(g: LocalGovernment) -> str:
    return f"{g.name},{g.country_code}"


def _iso(moment) -> str:
    return recurrence._iso(moment) if moment else ""


def row(a: Activity) -> dict:
    p = a.partnership
    return {
        "id": a.pk,
        "partnership_id": p.pk,
        "government_a": _gov(p.government_a),
        "government_b": _gov(p.government_b),
        "title": a.title,
        "type": a.type,
        "field": a.field,
        "modality": a.modality,
        "status": a.status,
        "host": _gov(a.host),
        "start": _iso(a.start),
        "end": _iso(a.end),
        "timezone": a.host.place.timezone,
        "start_local": a.start.astimezone(a.zone).strftime("%Y-%m-%d %H:%M %Z"),
        "end_local": a.end.astimezone(a.zone).strftime("%Y-%m-%d %H:%M %Z"),
        "when_local": times.span(a.start, a.end, a.zone),
        "date_tbd": "yes" if a.date_tbd else "no",
        "recurrence": a.recurrence,
        "exceptions": " ".join(a.exceptions),
        "location": a.location,
        "description": a.description,
        "participants_a": "" if a.participants_a is None else a.participants_a,
        "participants_b": "" if a.participants_b is None else a.participants_b,
        "breakdown": json.dumps(a.breakdown, sort_keys=True) if a.breakdown else "",
        "budget": "" if a.budget is None else f"{a.budget:f}",
        "currency": a.currency,
        "outcomes": a.outcomes,
        "sdg_targets": " ".join(a.sdg_targets),
        "public": "yes" if a.public else "no",
        "planned_start": _iso(a.planned_start),
        "planned_modality": a.planned_modality,
    }


def export_queryset(government: LocalGovernment | None):
    """One government's activities (all of them: the export is for its office), or every public one."""
    qs = queries.activity_queryset().prefetch_related("changes").order_by("start", "id")
    if government is None:
        return qs.filter(public=True, partnership__public=True)
    from django.db.models import Q

    return qs.filter(Q(partnership__government_a=government) | Q(partnership__government_b=government))


def write_csv(activities: Iterable[Activity], out) -> int:
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    n = 0
    for a in activities:
        writer.writerow(csv_row(row(a)))
        n += 1
    return n


def write_xlsx(activities: Iterable[Activity], path) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("activities")
    sheet.append(COLUMNS)
    n = 0
    for a in activities:
        values = row(a)
        sheet.append(xlsx_row(sheet, [values[c] for c in COLUMNS]))
        n += 1
    book.save(path)
    return n


# --- import ----------------------------------------------------------------------------------------


@dataclass
class RowResult:
    line: int
    outcome: str  # created, updated, rejected
    activity_id: int | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    rolled_back: bool = False  # a row was rejected, so nothing was written

    def count(self, outcome: str) -> int:
        return 0 if self.rolled_back and outcome != "rejected" else sum(r.outcome == outcome for r in self.rows)

    def summary(self) -> dict:
        return {
            "rows_read": len(self.rows),
            "created": self.count("created"),
            "updated": self.count("updated"),
            "rejected": self.count("rejected"),
        }


def read_rows(path: Path) -> Iterator[tuple[int, dict]]:
    """(row number, row) from a CSV or, by its extension, an XLSX file in the export's format."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        check_archive(path, path.name)  # a spreadsheet that unpacks to gigabytes is refused first
        book = load_workbook(path, read_only=True, data_only=True)
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, [])]
        for n, values in enumerate(rows, 2):
            yield n, {h: "" if v is None else str(v) for h, v in zip(header, values)}
        return
    with open(path, newline="", encoding="utf-8-sig") as f:
        # Rows are numbered as a spreadsheet shows them (the header is row 1), whatever line
        # breaks there are inside quoted values.
        for n, record in enumerate(csv.DictReader(f), 2):
            yield n, {k: read_csv_cell(v or "") for k, v in record.items() if k is not None}


def _bool(value: str, name: str) -> bool:
    v = value.strip().lower()
    if v in ("yes", "true", "1", "ya"):
        return True
    if v in ("no", "false", "0", "tidak", ""):
        return False
    raise ValidationError({name: [_("“%(value)s” is not yes or no.") % {"value": value}]})


def _int(value: str, name: str) -> int | None:
    v = value.strip()
    if not v:
        return None
    try:
        return int(v)
    except ValueError:
        raise ValidationError({name: [_("“%(value)s” is not a whole number.") % {"value": value}]})


def _moment(value: str, name: str):
    try:
        return recurrence.parse_moment(value) if value.strip() else None
    except ValueError:
        raise ValidationError({name: [_("“%(value)s” is not a date and time (ISO 8601).") % {"value": value}]})


def _partnership(record: dict) -> Partnership:
    pid = _int(record.get("partnership_id", ""), "partnership_id")
    if pid is not None:
        found = Partnership.objects.select_related("government_a__place", "government_b__place").filter(pk=pid).first()
        if found is not None:
            return found
    try:
        a = resolve_government(record.get("government_a", ""))
        b = resolve_government(record.get("government_b", ""))
    except GovernmentLookupError as exc:
        raise ValidationError({"partnership": [government_lookup_message(exc, inline=True)]})
    a, b = sorted([a, b], key=lambda g: g.pk)
    found = (
        Partnership.objects.filter(government_a=a, government_b=b)
        .select_related("government_a__place", "government_b__place")
        .first()
    )
    if found is None:
        raise ValidationError({"partnership": [_("%(a)s and %(b)s are not partners.") % {"a": a.name, "b": b.name}]})
    return found


# Columns without an empty value: an empty cell is a cell left out (as the column left out of the
# file): a new activity takes the default (the form's: in person, planned, not public, date set),
# an updated one keeps its own.
NO_EMPTY_VALUE = {"modality", "status", "public", "date_tbd"}


def given(record: dict, name: str) -> bool:
    """Whether the row gives a value for the column: it is in the file and, for a column without
    an empty value, its cell is not empty."""
    return name in record and (name not in NO_EMPTY_VALUE or bool((record[name] or "").strip()))


def _data(record: dict, partnership: Partnership) -> dict:
    """The row's values for the services; a column the row does not give is left out, so a new
    activity takes its default and an updated one keeps its value."""
    errors: dict[str, list[str]] = {}
    data: dict = {}

    def take(name, fn):
        if not given(record, name):
            return
        try:
            data[name] = fn(record.get(name, ""), name)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)

    for name in ("title", "type", "field", "modality", "status", "recurrence", "location", "description", "outcomes"):
        if given(record, name):
            value = record[name] or ""
            data[name] = value if name in ("description", "outcomes") else value.strip()
    if given(record, "currency"):
        data["currency"] = (record["currency"] or "").strip().upper()
    take("start", _moment)
    take("end", _moment)
    take("participants_a", _int)
    take("participants_b", _int)
    take("public", _bool)
    host_text = (record.get("host") or "").strip()
    host = None
    for g in partnership.governments:
        if host_text and host_text.lower() in (_gov(g).lower(), g.name.lower()):
            host = g
    if host is None:
        errors.setdefault("host", []).append(
            _("The host “%(value)s” is neither partner (%(a)s, %(b)s).")
            % {"value": host_text, "a": _gov(partnership.government_a), "b": _gov(partnership.government_b)}
        )
    data["host"] = host
    if given(record, "budget"):
        budget = (record["budget"] or "").strip()
        try:
            data["budget"] = Decimal(budget) if budget else None
        except InvalidOperation:
            errors.setdefault("budget", []).append(_("“%(value)s” is not an amount.") % {"value": budget})
    if given(record, "breakdown"):
        breakdown = (record["breakdown"] or "").strip()
        try:
            data["breakdown"] = json.loads(breakdown) if breakdown else {}
        except ValueError:
            errors.setdefault("breakdown", []).append(_("The breakdown is not valid JSON."))
    for name in ("exceptions", "sdg_targets"):
        if given(record, name):
            data[name] = (record[name] or "").split()
    if errors:
        raise ValidationError(errors)
    return data


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{k}: {m}" for k, ms in exc.message_dict.items() for m in ms]
    return list(exc.messages)


class ImportFileError(ValueError):
    """A file that cannot be imported at all (unreadable, not the export's columns)."""


# The columns a row must be readable by: the rest may be left out (they take their defaults).
REQUIRED_COLUMNS = {"title", "type", "host", "start", "end"}
PARTNERSHIP_COLUMNS = ({"partnership_id"}, {"government_a", "government_b"})


def read_file(path: Path) -> list[tuple[int, dict]]:
    """Every row of the file, read and checked for its columns before anything is written: a
    bad byte near the end, a corrupt XLSX or a file of other columns writes nothing."""
    try:
        rows = list(read_rows(path))
    except ArchiveTooLarge as error:
        raise ImportFileError(str(error))
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("The file is not UTF-8 text (byte %(position)d); save it as CSV UTF-8 or XLSX.")
            % {"position": error.start}
        )
    except csv.Error as error:
        raise ImportFileError(_("The file cannot be read as CSV: %(error)s.") % {"error": error})
    except (zipfile.BadZipFile, KeyError, OSError, InvalidFileException, ValueError) as error:
        raise ImportFileError(_("The file cannot be read as XLSX: %(error)s.") % {"error": error})
    columns = set(rows[0][1]) if rows else set()
    unknown = sorted(columns - set(COLUMNS))
    missing = sorted(REQUIRED_COLUMNS - columns)
    if unknown or missing or not any(c <= columns for c in PARTNERSHIP_COLUMNS):
        raise ImportFileError(
            _(
                "The file does not have the columns of export-activities (unknown: %(unknown)s; missing: "
                "%(missing)s). Export a file with `kembar export-activities` to see them."
            )
            % {
                "unknown": ", ".join(unknown) or "-",
                "missing": ", ".join(missing or ["partnership_id or government_a and government_b"]),
            }
        )
    return rows


def import_rows(rows: Iterable[tuple[int, dict]], user=None) -> ImportReport:
    """All rows or none: each row is checked and saved (in a savepoint, so every bad row is
    reported), and when any row is rejected the whole import is rolled back."""
    report = ImportReport()
    with transaction.atomic():
        for line, record in rows:
            try:
                with transaction.atomic():
                    partnership = _partnership(record)
                    data = _data(record, partnership)
                    pk = _int(record.get("id", ""), "id")
                    existing = Activity.objects.filter(pk=pk, partnership=partnership).first() if pk else None
                    if existing is not None:
                        activity = services.update_activity(user, existing, check_permission=user is not None, **data)
                        outcome = "updated"
                    else:
                        activity = services.create_activity(
                            user, partnership, check_permission=user is not None, **data
                        )
                        outcome = "created"
                    tbd = _bool(record["date_tbd"], "date_tbd") if given(record, "date_tbd") else activity.date_tbd
                    tbd = tbd and activity.status == "postponed"
                    if tbd != activity.date_tbd:
                        Activity.objects.filter(pk=activity.pk).update(date_tbd=tbd)
            except ValidationError as exc:
                report.rows.append(RowResult(line, "rejected", errors=_messages(exc)))
            except DatabaseError as exc:  # what the checks above let through, e.g. a value too long
                report.rows.append(RowResult(line, "rejected", errors=[str(exc).strip().splitlines()[0]]))
            else:
                report.rows.append(RowResult(line, outcome, activity.pk))
        if report.count("rejected"):
            report.rolled_back = True
            transaction.set_rollback(True)
    return report
