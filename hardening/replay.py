"""`make hardening`: replay the twelve findings of the outside test (issue 20) against a live kembar.

A fresh database (as `make fuzz`: SQLite, or a scratch database `kembar_replay` on the
PostgreSQL server of DATABASE_URL), the gazetteer of Indonesia and Japan, the demo, a token of
the editor `bandung`; then the production server (`make serve`, DEBUG off) on 127.0.0.1 with no
reachable mail server. Each finding's reproduction is replayed over HTTP, or through the CLI
(`kembar import-activities`, `export-activities`, `backup`, `restore`) on the same database
where the finding is about the CLI. The reports of findings 2 and 3 are asked for over HTTP
(POST /api/insights/reports), built by `kembar worker --batch` with the server's environment (the
job queue lives in the same database), followed until ready and downloaded:

     1  a .docx whose word/document.xml inflates to 400 MB, shared in the library: refused
     2  a government named =HYPERLINK(…): a text cell in the XLSX report and the XLSX/CSV export
     3  a name holding \\x0b: 422 naming the field; the XLSX report is still made
     4  interest in a partner request with no mail server: answered normally, not 500
     5  import-activities: a bad UTF-8 byte or a bad row at the end writes nothing; foo,bar refused
     6  a meeting's video_link javascript:…: 422
     7  map tooltips: the served app.js passes names as text, never as HTML
     8  logs: a JSON line per request with its request id; a 5xx has its traceback under that id
     9  API errors no operation answers (404, 405, 413, 5xx) are JSON {"detail": …}
    10  NUL in a partnership's notes: 422
    11  restore of a crafted archive (a row missing a required value) names the row
    12  restore of an edited (wrongly signed) or unsigned archive is refused

One line per finding, "held" or "FAILED" with a short reason; the last line sums up. Exits 1 when
any finding failed.

    python -m hardening.replay [--only N ...] [--port PORT] [--keep]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from . import live

TITLES = {
    1: "zip bomb .docx in the library",
    2: "formula injection in spreadsheets",
    3: "control characters in names",
    4: "interest with no mail server",
    5: "import-activities all or nothing",
    6: "javascript: video link",
    7: "map tooltips as text",
    8: "structured logs with request id",
    9: "API errors are JSON",
    10: "NUL in partnership notes",
    11: "restore of a crafted row",
    12: "restore of an unsigned archive",
}
HOSTILE = '=HYPERLINK("http://evil.example","click")'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HTTP_TIMEOUT = 60
CLI_TIMEOUT = 120
REPORT_WAIT = 120  # seconds for a report to be ready once a worker ran (another finding's worker may hold it)
DEADLINE = 300  # seconds for all findings; a finding still running then has failed


class Failed(Exception):
    """The finding is back: the message says what the replay saw."""


@dataclasses.dataclass(frozen=True)
class Outcome:
    number: int
    held: bool
    reason: str


def report_lines(outcomes: Iterable[Outcome]) -> tuple[list[str], int]:
    """One line per finding, in order, and the exit status: 1 if any finding failed."""
    lines, status = [], 0
    for o in sorted(outcomes, key=lambda o: o.number):
        lines.append(f"{o.number:>2} {'held  ' if o.held else 'FAILED'}  {TITLES[o.number]}: {o.reason}")
        status = status or int(not o.held)
    return lines, status


def summary_line(outcomes: list[Outcome], seconds: float) -> str:
    failed = sorted(o.number for o in outcomes if not o.held)
    held = len(outcomes) - len(failed)
    verdict = "FAILED" if failed else "passed"
    parts = [f"{held} held", f"{len(failed)} failed" + (f" ({', '.join(map(str, failed))})" if failed else "")]
    return f"hardening replay {verdict}: {', '.join(parts)}; {seconds:.0f} s"


def _short(text: str, n: int = 140) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


# --- HTTP --------------------------------------------------------------------------------------


@dataclasses.dataclass
class Response:
    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)

    def is_json(self) -> bool:
        return self.headers.get("content-type", "").startswith("application/json")

    def fields(self) -> dict[str | None, str]:
        """A 422's {field: message}."""
        try:
            detail = self.json().get("detail")
        except ValueError:
            return {}
        if not isinstance(detail, list):
            return {}
        return {e.get("field"): e.get("message", "") for e in detail if isinstance(e, dict)}

    def said(self) -> str:
        try:
            return _short(json.dumps(self.json().get("detail"), ensure_ascii=False))
        except (ValueError, AttributeError):
            return _short(self.body[:200].decode("utf-8", "replace"))


class Client:
    def __init__(self, base: str, token: str):
        self.base = base
        self.token = token
        self.server_errors: list[Response] = []  # every 5xx seen, for finding 9

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body=None,
        data: bytes | None = None,
        content_type: str | None = None,
        headers: dict | None = None,
        auth: bool = True,
    ) -> Response:
        head = {"X-Forwarded-Proto": "https", "Accept-Language": "en", **(headers or {})}
        if auth:
            head["Authorization"] = f"Bearer {self.token}"
        if json_body is not None:
            data = json.dumps(json_body).encode()
            content_type = "application/json"
        if content_type:
            head["Content-Type"] = content_type
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=head)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as r:
                response = Response(method, path, r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
        except urllib.error.HTTPError as e:
            response = Response(method, path, e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())
        if response.status >= 500:
            self.server_errors.append(response)
        return response

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def expect(self, status: int, response: Response, what: str) -> Response:
        if response.status != status:
            raise Failed(f"{what}: expected {status}, got {response.status} {response.said()}")
        return response


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "kembar-replay-" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, ctype) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n".encode()
        )
        out.write(content)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


# --- the replay's world -------------------------------------------------------------------------


@dataclasses.dataclass
class World:
    client: Client
    env: dict  # for the CLI: the same database, media and keys as the server
    work: Path
    log_path: Path
    government: dict  # the editor's own government (Kota Bandung)
    partnership: dict  # one of its partnerships
    backup: concurrent.futures.Future | None = None
    server_env: dict | None = None  # the server's own (its mail server too): what the worker runs with

    @property
    def government_ref(self) -> str:
        """NAME,CC as the CLI takes it."""
        return f"{self.government['name']},{self.government['country_code']}"

    def cli(self, *args: str, timeout: float = CLI_TIMEOUT) -> tuple[int, str]:
        return cli(self.env, *args, timeout=timeout)

    def report(self, body: dict, what: str) -> Response:
        """Ask for a report (202), run the worker once, follow the report until it is ready and
        download it. Findings run side by side: another finding's worker may be the one that
        builds it, so the report's status is what is waited for, not this worker's exit."""
        asked = self.client.expect(
            202, self.client.request("POST", "/api/insights/reports", json_body=body), f"asking for {what}"
        ).json()
        code, out = cli(self.server_env or self.env, "worker", "--batch")
        no_traceback(out, "kembar worker --batch")
        if code:
            raise Failed(f"kembar worker --batch exited {code}: {last_message(out)}")
        deadline = time.monotonic() + REPORT_WAIT
        while True:
            status = self.client.expect(200, self.client.get(asked["url"]), f"the status of {what}").json()
            if status["status"] == "ready":
                return self.client.expect(200, self.client.get(status["file"]), what)
            if status["status"] == "failed":
                raise Failed(f"{what} failed: {status['error']}")
            if time.monotonic() > deadline:
                raise Failed(f"{what} is still {status['status']} {REPORT_WAIT} s after the worker ran")
            time.sleep(0.5)


def cli(env: dict, *args: str, timeout: float = CLI_TIMEOUT) -> tuple[int, str]:
    """Exit status and stdout+stderr of a `kembar` command.

    Without Django's system checks: they load every URL and with them the matching model's
    libraries, a second or two per command; CI runs them on their own (`make check-deploy`)."""
    try:
        result = subprocess.run(
            [live.KEMBAR, *args, "--skip-checks"],
            env=env,
            cwd=live.ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise Failed(f"kembar {args[0]} did not finish within {timeout:.0f} s")
    return result.returncode, result.stdout.decode("utf-8", "replace")


def no_traceback(output: str, what: str) -> None:
    if "Traceback (most recent call last)" in output:
        last = [line for line in output.strip().splitlines() if line.strip()][-1]
        raise Failed(f"{what} ended in a traceback: {_short(last)}")


def last_message(output: str, n: int = 110) -> str:
    """The command's last line, without the error's class and the working folder's path."""
    lines = [line for line in output.strip().splitlines() if line.strip() and not line.startswith("{")]
    line = lines[-1] if lines else output
    line = re.sub(r"^CommandError: ", "", line)
    line = re.sub(r"/\S*/kembar-replay-[^/\s]+/", "", line)
    return _short(line, n)


# --- the findings -------------------------------------------------------------------------------


def zip_bomb(unpacked_mb: int = 400) -> bytes:
    """A small .docx (≈400 KB) whose word/document.xml inflates to `unpacked_mb` MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        with z.open("word/document.xml", "w") as member:
            member.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/')
            member.write(b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            chunk = b"A" * (4 << 20)
            for _ in range(unpacked_mb // 4):
                member.write(chunk)
            member.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def finding_1(w: World) -> str:
    bomb = zip_bomb()
    body, ctype = multipart(
        {"title": "Replay: zip bomb", "government_id": str(w.government["id"]), "public": "true"},
        {"file": ("bomb.docx", bomb, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")},
    )
    started = time.monotonic()
    r = w.client.request("POST", "/api/library", data=body, content_type=ctype)
    seconds = time.monotonic() - started
    if r.status in (200, 201):
        with contextlib.suppress(Exception):
            w.client.request("DELETE", f"/api/library/{r.json()['id']}")
        raise Failed(f"a {len(bomb) // 1024} KB .docx unpacking to 400 MB was accepted ({r.status}, {seconds:.1f} s)")
    if r.status != 422 or "file" not in r.fields():
        raise Failed(f"expected a 422 naming file, got {r.status} {r.said()}")
    return f"{len(bomb) // 1024} KB .docx refused in {seconds:.1f} s: {_short(r.fields()['file'], 90)}"


def _free_place(w: World, names: Iterable[str]) -> tuple[dict, Response]:
    """Create a government named HOSTILE on the first of these Japanese cities that has none."""
    last = None
    for name in names:
        places = w.client.expect(200, w.client.get(f"/api/places?q={name}&limit=5"), "place search").json()
        place = next((p for p in places["items"] if p["name"] == name and p["country_code"] == "JP"), None)
        if place is None:
            continue
        last = w.client.request("POST", "/api/governments", json_body={"place_id": place["id"], "name": HOSTILE})
        if last.status == 201:
            return last.json(), last
        if last.status != 422:
            break
    raise Failed(
        f"could not create a government named {HOSTILE!r}: {last.status if last else '-'} {last and last.said()}"
    )


def _formula_cells(book_bytes: bytes) -> tuple[list, list]:
    """(cells holding the hostile text, cells that are formulas) of an XLSX."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(book_bytes))
    hostile, formulas = [], []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append(f"{sheet.title}!{cell.coordinate}")
                if isinstance(cell.value, str) and "evil.example" in cell.value:
                    hostile.append(cell)
    return hostile, formulas


def finding_2(w: World) -> str:
    hostile_gov, _ = _free_place(w, ["Sapporo", "Sendai", "Kanazawa", "Matsuyama", "Kagoshima", "Hakodate"])
    partnership = w.client.expect(
        201,
        w.client.request(
            "POST",
            "/api/partnerships",
            json_body={"government_a_id": w.government["id"], "government_b_id": hostile_gov["id"]},
        ),
        "a partnership with the hostile government",
    ).json()
    year = dt.date.today().year
    w.client.expect(
        201,
        w.client.request(
            "POST",
            f"/api/partnerships/{partnership['id']}/activities",
            json_body={
                "title": HOSTILE,
                "type": "work_visit",
                "host_id": w.government["id"],
                "start": f"{year}-03-02T09:00:00",
                "end": f"{year}-03-02T11:00:00",
            },
        ),
        "an activity with a hostile title",
    )
    seen = []
    # The XLSX report over the API: the partner cell holds the name as text, never a formula.
    body = {"government_id": w.government["id"], "format": "xlsx", "language": "en", "year": year}
    r = w.report(body, "the XLSX report")
    hostile, formulas = _formula_cells(r.body)
    if formulas:
        raise Failed(f"the XLSX report holds formulas: {', '.join(formulas[:3])}")
    if not hostile:
        raise Failed("the hostile partner's name is not in the XLSX report (cannot tell)")
    seen.append(f"report: {len(hostile)} text cell(s)")
    # The activities export (CLI): XLSX cells are text, CSV cells start with an apostrophe.
    xlsx = w.work / "activities.xlsx"
    base = ["export-activities", "--government", w.government_ref, "--format"]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        as_xlsx = pool.submit(w.cli, *base, "xlsx", "--output", str(xlsx))
        as_csv = pool.submit(w.cli, *base, "csv", "--output", "-")
        (code, out), (csv_code, csv_out) = as_xlsx.result(), as_csv.result()
    no_traceback(out, "export-activities --format xlsx")
    if code:
        raise Failed(f"export-activities --format xlsx exited {code}: {last_message(out)}")
    hostile, formulas = _formula_cells(xlsx.read_bytes())
    if formulas or not hostile:
        raise Failed(f"the XLSX export holds formulas {formulas[:3]} or not the hostile text ({len(hostile)} cells)")
    seen.append(f"XLSX export: {len(hostile)} text cells")
    no_traceback(csv_out, "export-activities --format csv")
    if csv_code:
        raise Failed(f"export-activities --format csv exited {csv_code}: {last_message(csv_out)}")
    cells = [c for row in csv.reader(io.StringIO(csv_out)) for c in row if "evil.example" in c]
    raw = [c for c in cells if c.startswith(FORMULA_START)]
    if raw or not cells:
        raise Failed(f"the CSV export writes {_short(raw[0]) if raw else 'no hostile cell'} raw")
    seen.append(f"CSV export: {len(cells)} cells start with an apostrophe")
    return "; ".join(seen)


def finding_3(w: World) -> str:
    gid = w.government["id"]
    current = w.client.expect(200, w.client.get(f"/api/governments/{gid}"), "the own government").json()
    body = {"name": "Kota\x0bBandung", "address": "Jl. Wastukencana\x01 2"}
    if "version" in current:
        body["version"] = current["version"]
    refused = w.client.request("PATCH", f"/api/governments/{gid}", json_body=body)
    fields = refused.fields()
    if refused.status < 300:  # taken: put the name back, which the other findings look for
        back = {k: current[k] for k in ("name", "address", "version") if k in current}
        w.client.request("PATCH", f"/api/governments/{gid}", json_body=back)
    if refused.status != 422 or "name" not in fields:
        raise Failed(f"a name holding \\x0b: expected a 422 naming name, got {refused.status} {refused.said()}")
    after = w.client.get(f"/api/governments/{gid}").json()
    if after["name"] != current["name"]:
        raise Failed(f"refused, but the name changed to {after['name']!r}")
    # A roll-up (province, platform) is for oversight bodies; the editor reads the office's own.
    # In Indonesian: finding 2 asks for the English one, which an identical request within the
    # hour would share (made before or after finding 2's hostile partner, whichever came first).
    r = w.report({"government_id": gid, "format": "xlsx", "language": "id"}, "the XLSX report")
    _formula_cells(r.body)  # it opens
    named = ", ".join(f for f in ("name", "address") if f in fields)
    return f"422 naming {named} ({_short(fields['name'], 70)}); the XLSX report is made and opens"


def finding_4(w: World) -> str:
    requests = w.client.expect(200, w.client.get("/api/partner-requests?limit=50"), "partner requests").json()
    target = next((p for p in requests["items"] if p["government_id"] != w.government["id"]), None)
    if target is None:
        raise Failed("no partner request of another government to express interest in")
    path = f"/api/partner-requests/{target['id']}/interest"
    body = {"government_id": w.government["id"], "message": "Replay of the outside test."}
    r = w.client.request("POST", path, json_body=body)
    if r.status in (200, 201):
        return f"answered {r.status} with no mail server reachable"
    if r.status >= 500:
        retry = w.client.request("POST", path, json_body=body)
        raise Failed(
            f"answered {r.status} with no mail server reachable; a retry answers {retry.status} {retry.said()}"
        )
    raise Failed(f"answered {r.status} {r.said()}")


def finding_5(w: World) -> str:
    pid = w.partnership["id"]

    def count() -> int:
        path = f"/api/partnerships/{pid}/activities?limit=1"
        return w.client.expect(200, w.client.get(path), "the partnership's activities").json()["count"]

    header = ["partnership_id", "title", "type", "modality", "status", "host", "start", "end"]
    rows = [
        [str(pid), f"Replay import {i}", "work_visit", "in_person", "planned", w.government_ref]
        + [f"2027-02-{i:02d}T09:00", f"2027-02-{i:02d}T11:00"]
        for i in range(1, 26)
    ]

    def write(name: str, rows: list[list[str]]) -> Path:
        text = io.StringIO()
        csv.writer(text).writerows([header, *rows])
        path = w.work / name
        path.write_text(text.getvalue(), encoding="utf-8")
        return path

    bad_byte = write("bad-byte.csv", rows)  # a byte that is not UTF-8 in the last row
    data = bad_byte.read_bytes()
    bad_byte.write_bytes(data[:-8] + b"\xff" + data[-8:])
    bad_row = write("bad-row.csv", [*rows[:-1], [*rows[-1][:2], "party", *rows[-1][3:]]])  # a rejected last row
    other = w.work / "foo-bar.csv"  # not the export's columns
    other.write_text("foo,bar\n1,2\n", encoding="utf-8")
    before = count()
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        runs = [
            pool.submit(w.cli, "import-activities", str(bad_byte)),
            pool.submit(w.cli, "import-activities", str(bad_row), "--json"),
            pool.submit(w.cli, "import-activities", str(other)),
        ]
        (byte_code, byte_out), (row_code, row_out), (other_code, other_out) = (r.result() for r in runs)
    written = count() - before
    for out, what in [(byte_out, "a bad byte"), (row_out, "a bad row"), (other_out, "foo,bar")]:
        no_traceback(out, f"import-activities ({what})")
    if written:
        raise Failed(f"{written} rows were written by imports that should have written nothing")
    if byte_code == 0:
        raise Failed(f"a bad byte in the last row exited 0: {last_message(byte_out)}")
    summary = next((json.loads(line) for line in reversed(row_out.splitlines()) if line.startswith("{")), {})
    if row_code == 0:
        raise Failed(f"a rejected last row exited 0: {summary or last_message(row_out)}")
    if summary.get("rejected") != 1 or summary.get("rows_read") != len(rows):  # else the test proves nothing
        raise Failed(f"expected 1 of {len(rows)} rows rejected, got {summary or last_message(row_out)}")
    if other_code == 0:
        raise Failed(f"a file with the header foo,bar exited 0: {last_message(other_out)}")
    return (
        f"0 rows written; bad byte in the last row: exit {byte_code} ({last_message(byte_out, 60)}); "
        f"1 bad row of {len(rows)}: exit {row_code}; foo,bar: exit {other_code}"
    )


def _next_weekday(days: int = 40) -> dt.date:
    day = dt.date.today() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def finding_6(w: World) -> str:
    start = f"{_next_weekday()}T03:00:00Z"
    body = {
        "partnership_id": w.partnership["id"],
        "title": "Replay: video link",
        "start": start,
        "video_link": "javascript:alert(document.domain)",
    }
    r = w.client.request("POST", "/api/meetings", json_body=body)
    if r.status == 201:
        raise Failed(f"stored as meeting {r.json().get('id')} with video_link {r.json().get('video_link')!r}")
    if r.status != 422 or "video_link" not in r.fields():
        raise Failed(f"expected a 422 naming video_link, got {r.status} {r.said()}")
    return f"422: {_short(r.fields()['video_link'], 90)}"


TOOLTIP_CALL = re.compile(r"\.bind(Tooltip|Popup)\(\s*([^,)]*)")


def string_tooltips(script: str) -> tuple[int, list[str]]:
    """(how many Leaflet tooltips and popups the script binds, those bound to anything but a DOM
    node made in the script: Leaflet reads a string as HTML)."""
    calls = TOOLTIP_CALL.findall(script)
    unsafe = []
    for kind, argument in calls:
        argument = argument.strip()
        made = re.fullmatch(r"[A-Za-z_$][\w$]*", argument) and re.search(
            rf"\b{re.escape(argument)}\s*=\s*document\.create(Element|TextNode)\(", script
        )
        if not made:
            unsafe.append(f"bind{kind}({argument})")
    return len(calls), unsafe


def finding_7(w: World) -> str:
    page = w.client.expect(200, w.client.get("/", auth=False), "the home page").body.decode("utf-8", "replace")
    match = re.search(r'<script[^>]+src="([^"]*/kembar/app[.\w]*\.js)"', page)
    if not match:
        raise Failed("the home page loads no kembar/app.js (cannot tell)")
    script = w.client.expect(200, w.client.get(match.group(1), auth=False), "app.js").body.decode("utf-8", "replace")
    calls, unsafe = string_tooltips(script)
    if unsafe:
        raise Failed(f"{_short(unsafe[0], 60)} in {match.group(1)} passes a string, which Leaflet reads as HTML")
    if not calls:
        return f"{match.group(1)} binds no tooltip or popup"
    return f"the {calls} bindTooltip/bindPopup call(s) in the served app.js pass DOM nodes, not strings"


def _log_entries(path: Path) -> list[dict]:
    entries = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                entries.append(json.loads(line))
    return entries


def finding_8(w: World) -> str:
    marker = "replay-" + secrets.token_hex(8)
    r = w.client.get("/api/partnerships?limit=1", headers={"X-Request-ID": marker})
    w.client.expect(200, r, "a request with an X-Request-ID")
    if r.headers.get("x-request-id") != marker:
        raise Failed(f"the response's X-Request-ID is {r.headers.get('x-request-id')!r}, not the one sent")
    entry = None
    for _ in range(20):  # the worker writes its line as it answers; give the file a moment
        entries = _log_entries(w.log_path)
        entry = next(
            (e for e in entries if e.get("request_id") == marker and e.get("logger") == "kembar.request"), None
        )
        if entry:
            break
        time.sleep(0.1)
    if entry is None:
        raise Failed("no JSON kembar.request line with the request's id in the server's log")
    missing = [k for k in ("time", "level", "method", "path", "status", "duration_ms", "user_id") if k not in entry]
    if missing or entry.get("user_id") is None:
        raise Failed(f"the request line lacks {', '.join(missing) or 'the user id'}: {_short(json.dumps(entry))}")
    errors = [e for e in entries if e.get("logger") == "kembar.request" and int(e.get("status", 0)) >= 500]
    traced = {e.get("request_id") for e in entries if e.get("logger") == "django.request" and e.get("traceback")}
    untraced = [e for e in errors if e.get("request_id") not in traced]
    if untraced:
        raise Failed(f"{len(untraced)} of {len(errors)} 5xx without a traceback under their id ({untraced[0]['path']})")
    tail = f"; {len(errors)} 5xx, each with its traceback under its id" if errors else "; no 5xx happened to check"
    return f"JSON line with request id, user, status, duration{tail}"


def finding_9(w: World) -> str:
    seen = []

    def check(r: Response, status: int, what: str) -> None:
        if r.status != status or not r.is_json():
            raise Failed(f"{what}: {r.status} {r.headers.get('content-type', '')} {_short(r.body[:80])}")
        detail = r.json().get("detail") if isinstance(r.json(), dict) else None
        if not detail:
            raise Failed(f"{what}: JSON without a detail: {_short(r.body[:120])}")
        seen.append(str(status))

    check(w.client.get("/api/no-such-operation"), 404, "an unknown path")
    check(w.client.request("DELETE", "/api/places"), 405, "a wrong method")
    big = json.dumps({"notes": "x" * (3 * 2**20)}).encode()  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
    check(w.client.request("POST", "/api/partnerships", data=big, content_type="application/json"), 413, "a big body")
    errors = [r for r in w.client.server_errors if r.path.startswith("/api/")]
    for r in errors:
        if not r.is_json() or not isinstance(r.json(), dict) or "detail" not in r.json():
            raise Failed(f"a {r.status} at {r.path} is not JSON with a detail: {_short(r.body[:80])}")
    tail = f"; {len(errors)} 5xx under /api/ seen, JSON too" if errors else ""
    return f"{', '.join(seen)} answer JSON with a detail{tail}"


def finding_10(w: World) -> str:
    pid = w.partnership["id"]
    current = w.client.expect(200, w.client.get(f"/api/partnerships/{pid}"), "the partnership").json()
    r = w.client.request(
        "PATCH", f"/api/partnerships/{pid}", json_body={"notes": "before\x00after", "version": current["version"]}
    )
    if r.status != 422 or "notes" not in r.fields():
        raise Failed(f"expected a 422 naming notes, got {r.status} {r.said()}")
    after = w.client.get(f"/api/partnerships/{pid}").json()
    if after["notes"] != current["notes"]:
        raise Failed("refused, but the notes changed")
    return f"422: {_short(r.fields()['notes'], 90)}"


def take_backup(env: dict, work: Path) -> Path:
    path = work / "backup.tar.gz"
    code, out = cli(env, "backup", str(path), "--no-progress")
    if code or not path.is_file():
        raise Failed(f"kembar backup exited {code}: {last_message(out)}")
    return path


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as source:
        return {info.name: source.extractfile(info).read() for info in source if info.isreg()}


def _write_archive(path: Path, members: Iterable[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as out:
        for name, content in members:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mtime = int(time.time())
            out.addfile(info, io.BytesIO(content))
    return path


def recrafted(archive: Path, target: Path, change: Callable[[list[dict]], None], signature: bytes | None) -> Path:
    """The archive with data.jsonl changed and the manifest's checksums and row counts made to
    match it, as someone editing a backup would; with `signature` as manifest.sig (None: unsigned)."""
    members = _members(archive)
    records = [json.loads(line) for line in members.pop("data.jsonl").decode().splitlines() if line.strip()]
    change(records)
    data = ("\n".join(json.dumps(r) for r in records) + "\n").encode()
    manifest = json.loads(members.pop("manifest.json"))
    members.pop("manifest.sig", None)
    manifest["members"]["data.jsonl"] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    for model in {r["model"] for r in records} & set(manifest.get("rows", {})):  # the row counts too
        manifest["rows"][model] = sum(1 for r in records if r["model"] == model)
    ordered = [("data.jsonl", data), *members.items(), ("manifest.json", json.dumps(manifest).encode())]
    if signature is not None:
        ordered.append(("manifest.sig", signature))
    return _write_archive(target, ordered)


def _registry_still_there(w: World) -> None:
    r = w.client.get(f"/api/partnerships/{w.partnership['id']}")
    if r.status != 200:
        raise Failed(f"after the refused restore the partnership answers {r.status}: something was written")


def finding_11(w: World) -> str:
    archive = w.backup.result()
    target = {}

    def drop_government(records: list[dict]) -> None:
        record = next(r for r in records if r["model"] == "partnerships.partnership")
        record["fields"]["government_a"] = None
        target.update(pk=record["pk"])

    crafted = recrafted(archive, w.work / "crafted.tar.gz", drop_government, signature=None)
    code, out = w.cli("restore", str(crafted), "--force", "--trust-unsigned", "--no-progress")
    no_traceback(out, "restore of a crafted row")
    if code == 0:
        raise Failed("a partnership without its first government was restored")
    if "partnerships.partnership" not in out or str(target["pk"]) not in out:
        raise Failed(f"refused without naming row {target['pk']} of partnerships.partnership: {last_message(out)}")
    _registry_still_there(w)
    return f"exit {code}: {last_message(out)}"


def finding_12(w: World) -> str:
    archive = w.backup.result()
    stale = _members(archive).get("manifest.sig")
    if stale is None:
        raise Failed("kembar backup writes no manifest.sig: backups are not signed")

    def add_superuser(records: list[dict]) -> None:
        at, user = next((i, r) for i, r in enumerate(records) if r["model"] == "auth.user")
        fields = {**user["fields"], "username": "intruder", "is_superuser": True, "is_staff": True}
        records.insert(at, {**user, "pk": 99999, "fields": fields})

    cases = [("edited, old signature", stale), ("edited, unsigned", None)]
    archives = [
        recrafted(archive, w.work / f"edited-{i}.tar.gz", add_superuser, sig) for i, (_, sig) in enumerate(cases)
    ]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(w.cli, "restore", str(a), "--force", "--no-progress") for a in archives]
        results = [r.result() for r in runs]
    seen = []
    for (label, signature), (code, out) in zip(cases, results):
        no_traceback(out, f"restore ({label})")
        if code == 0:
            raise Failed(f"the archive with an added superuser ({label}) was restored")
        if signature is None and "--trust-unsigned" not in out:
            raise Failed(f"refused without naming --trust-unsigned: {last_message(out)}")
        seen.append(f"{label}: exit {code} ({last_message(out, 70)})")
    _registry_still_there(w)
    return "; ".join(seen)


FINDINGS: dict[int, Callable[[World], str]] = {
    1: finding_1,
    2: finding_2,
    3: finding_3,
    4: finding_4,
    5: finding_5,
    6: finding_6,
    7: finding_7,
    8: finding_8,
    9: finding_9,
    10: finding_10,
    11: finding_11,
    12: finding_12,
}
# Run in this order: the first group side by side (with the backup), then the two that read what
# the others left (every 5xx seen, the log), then the restores, which run against the database.
PHASES = [[1, 2, 3, 4, 5, 6, 7, 10], [9, 8], [11, 12]]


def run_one(number: int, world: World) -> Outcome:
    started = time.monotonic()
    try:
        reason = FINDINGS[number](world)
        held = True
    except Failed as failure:
        reason, held = str(failure), False
    except Exception as error:  # the replay itself broke: that is no proof the finding holds
        reason, held = f"the replay broke: {type(error).__name__}: {_short(error)}", False
    live.say(f"finding {number}: {'held' if held else 'FAILED'} ({time.monotonic() - started:.1f} s)")
    return Outcome(number, held, reason)


def run_all(world: World, numbers: list[int]) -> list[Outcome]:
    outcomes: dict[int, Outcome] = {}
    deadline = time.monotonic() + DEADLINE
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=3)
    try:
        for phase in PHASES:
            futures = {pool.submit(run_one, n, world): n for n in phase if n in numbers}
            done, late = concurrent.futures.wait(futures, timeout=max(0.1, deadline - time.monotonic()))
            for future in done:
                outcomes[futures[future]] = future.result()
            for future in late:
                outcomes[futures[future]] = Outcome(futures[future], False, f"did not finish within {DEADLINE} s")
    finally:
        # Past the deadline nothing new starts; what still runs ends at its own timeout.
        pool.shutdown(wait=False, cancel_futures=True)
    return list(outcomes.values())


def setup_world(client: Client, env: dict, work: Path, log_path: Path, backup, server_env: dict) -> World:
    governments = client.expect(200, client.get("/api/governments?q=Bandung&limit=50"), "governments").json()
    government = next((g for g in governments["items"] if g["name"] == "Kota Bandung"), None)
    if government is None:
        raise SystemExit("The demo's Kota Bandung is missing.")
    partnerships = client.get(f"/api/partnerships?government={government['id']}&limit=50").json()["items"]
    if not partnerships:
        raise SystemExit("Kota Bandung has no partnership in the demo.")
    return World(client, env, work, log_path, government, partnerships[0], backup, server_env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, action="append", metavar="N", help="replay only these findings")
    parser.add_argument("--port", type=int, help="the server's port (default: a free one); no mail server on PORT+1")
    parser.add_argument("--keep", action="store_true", help="keep the working folder even when everything held")
    args = parser.parse_args(argv)
    numbers = sorted(set(args.only or FINDINGS))
    if unknown := [n for n in numbers if n not in FINDINGS]:
        parser.error(f"no finding {unknown[0]}: 1–12")
    work = Path(tempfile.mkdtemp(prefix="kembar-replay-"))
    started = time.monotonic()
    with live.scratch_database("kembar_replay", os.environ.get("DATABASE_URL")) as database_url:
        env = live.base_env(database_url)
        # One key for the server and the CLI (backups are signed with it); uploads and restores
        # stay in the working folder.
        env.update(
            SECRET_KEY=secrets.token_urlsafe(50),
            KEMBAR_BACKUP_KEY=secrets.token_urlsafe(32),
            MEDIA_ROOT=str(work / "media"),
            DEBUG="0",
            ALLOWED_HOSTS="127.0.0.1,localhost",
        )
        live.prepare(env)
        token = live.kembar(
            "create-token", "bandung", "replay", "-v0", "--skip-checks", env=env, capture=True
        ).splitlines()[-1]
        # No mail server: a port on loopback where nothing listens.
        mail_port = args.port + 1 if args.port else live.free_port()
        server_env = {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(mail_port)}
        log_path = work / "server.log"
        # The backup that findings 11 and 12 edit is taken while the server starts.
        with concurrent.futures.ThreadPoolExecutor(1) as early:
            backup = early.submit(take_backup, env, work) if {11, 12} & set(numbers) else None
            with live.server(
                server_env, production=live.has_make_serve(), workers=2, log_path=log_path, port=args.port
            ) as base:
                world = setup_world(Client(base, token), env, work, log_path, backup, server_env)
                replay_started = time.monotonic()
                live.say(f"replaying findings {', '.join(map(str, numbers))}")
                outcomes = run_all(world, numbers)
                replay_seconds = time.monotonic() - replay_started
    lines, status = report_lines(outcomes)
    print("\n".join(lines))
    print(summary_line(outcomes, time.monotonic() - started) + f" (replay {replay_seconds:.0f} s)")
    if args.keep:
        print(f"Details kept in {work}", file=sys.stderr)
        return status
    return live.verdict(status == 0, work)


if __name__ == "__main__":
    sys.exit(main())
