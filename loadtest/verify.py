"""After the load run: is every acknowledged write in the database, once, and still itself?

Creates: each acknowledged partnership exists under the id the server answered, between the
two governments sent, with what was sent (kind, fields, basis, notes, public), and its pair
exists once.

Edits of the shared partnerships: the versions the server acknowledged are distinct and each
is the version sent plus one, so no two acknowledged edits were applied to the same version
(one silently overwriting the other); they run without gaps from the first edit to the
record's current version; the record's notes are those of the last acknowledged edit; and
the history holds every acknowledged edit exactly once, in the order of their versions.

Activities, agreements, meetings and messages: each acknowledged one exists under the id the
server answered, on the partnership it was sent to, with the title (body) it was sent with, and
its unique marker is stored exactly once; none is stored that was not acknowledged.

Jobs (MAILS, the folder of EMAIL_FILE_PATH where the worker's deliveries are written, given when
a worker ran): each acknowledged message was mailed to each other member of the two offices
exactly once (its notification job ran once), no mail is left waiting, and each sent mail was
delivered exactly once (its delivery job ran once).

Caches: every read through another app server right after a write saw the write.

    DATABASE_URL=... python -m loadtest.verify PLAN.json ACKS.jsonl [MAILS]   (last line: JSON)
"""

from __future__ import annotations

import collections
import json
import os
import sys

RECORDS = {
    # kind: (model path, the field holding the marker)
    "activity": ("kembar.activities.models.Activity", "title"),
    "agreement": ("kembar.agreements.models.Agreement", "title"),
    "meeting": ("kembar.meetings.models.Meeting", "title"),
    "message": ("kembar.conversations.models.Message", "body"),
}


def check_records(acks: list[dict], problems: list[str]) -> tuple[dict, int]:
    """Each kind's acknowledged creates against the database: (counts by kind, lost)."""
    from django.utils.module_loading import import_string

    counts, lost = {}, 0
    for kind, (path, field) in RECORDS.items():
        model = import_string(path)
        mine = [a for a in acks if a["op"] == kind]
        counts[kind] = len(mine)
        rows = model.objects.in_bulk([a["id"] for a in mine])
        stored = collections.Counter(
            model.objects.filter(**{f"{field}__startswith": f"load {kind} by "}).values_list(field, flat=True)
        )
        for ack in mine:
            marker = ack["sent"][field]
            row = rows.get(ack["id"])
            if row is None or getattr(row, field) != marker or row.partnership_id != ack["partnership"]:
                lost += 1
                problems.append(f"acknowledged {kind} {ack['id']} ({marker}) is missing or changed")
            elif stored[marker] != 1:
                problems.append(f"{kind} {marker!r} is stored {stored[marker]} times")
        unacknowledged = set(stored) - {a["sent"][field] for a in mine}
        if unacknowledged:
            problems.append(f"{len(unacknowledged)} {kind} record(s) stored without an acknowledgement")
    return counts, lost


def read_deliveries(folder: str) -> collections.Counter:
    """(recipient, marker) of each mail the file-based backend wrote, counted."""
    import email
    import email.policy
    import re

    marker = re.compile(r"load message by \S+ [0-9a-f]{32}")
    delivered: collections.Counter = collections.Counter()
    for path in sorted(os.listdir(folder)):
        text = open(os.path.join(folder, path), encoding="utf-8", errors="replace").read()
        for part in text.split("\n" + "-" * 79 + "\n"):
            if not part.strip():
                continue
            message = email.message_from_string(part.lstrip("\n"), policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))
            found = marker.search(body.get_content() if body else "")
            for recipient in str(message["To"] or "").split(","):
                delivered[(recipient.strip(), found.group(0) if found else None)] += 1
    return delivered


def check_jobs(acks: list[dict], mails_folder: str, problems: list[str]) -> dict:
    """Notification and delivery jobs each ran once for every acknowledged message."""
    from kembar.conversations import services
    from kembar.conversations.models import Message
    from kembar.core.models import OutgoingMail

    messages = Message.objects.select_related("partnership").in_bulk([a["id"] for a in acks if a["op"] == "message"])
    queued = collections.Counter()
    for mail in OutgoingMail.objects.filter(body__contains="load message by "):
        for recipient in mail.to:
            queued[(recipient, _marker_of(mail.body))] += 1
    delivered = read_deliveries(mails_folder)
    expected = 0
    twice = missing = undelivered = 0
    for ack in (a for a in acks if a["op"] == "message"):
        message = messages.get(ack["id"])
        if message is None:
            continue  # counted as lost by check_records
        readers = [u.email for u in services.members(message.partnership, "immediate") if u.pk != message.author_id]
        marker = ack["sent"]["body"]
        for address in readers:
            expected += 1
            if queued[(address, marker)] == 0:
                missing += 1
            elif queued[(address, marker)] > 1:
                twice += 1
            if delivered[(address, marker)] == 0:
                undelivered += 1
            elif delivered[(address, marker)] > 1:
                twice += 1
    waiting = OutgoingMail.objects.exclude(status=OutgoingMail.Status.SENT).count()
    extra = sum(1 for key in delivered if key not in queued)
    if missing:
        problems.append(f"{missing} notification(s) of acknowledged messages were never queued")
    if undelivered:
        problems.append(f"{undelivered} queued notification(s) were never delivered")
    if twice:
        problems.append(f"{twice} notification(s) were queued or delivered more than once")
    if waiting:
        problems.append(f"{waiting} mail(s) still waiting or failed after the run")
    if extra:
        problems.append(f"{extra} mail(s) delivered that no job queued")
    return {
        "expected_notifications": expected,
        "notifications_delivered": sum(delivered.values()),
        "jobs_run_twice": twice,
        "notifications_missing": missing + undelivered,
        "mails_waiting": waiting,
    }


def _marker_of(body: str) -> str | None:
    import re

    found = re.search(r"load message by \S+ [0-9a-f]{32}", body)
    return found.group(0) if found else None


def main(plan_path: str, acks_path: str, mails_folder: str | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kembar.settings")
    import django

    django.setup()
    from kembar.partnerships.models import Partnership

    plan = json.load(open(plan_path))
    acks = [json.loads(line) for line in open(acks_path) if line.strip()]
    creates = [a for a in acks if a["op"] == "create"]
    updates = [a for a in acks if a["op"] == "update"]
    refused = sum(1 for a in acks if a["op"] == "refused")
    problems: list[str] = []
    lost = overwritten = 0

    # --- creates ---------------------------------------------------------------------------
    found = Partnership.objects.prefetch_related("fields").in_bulk([a["id"] for a in creates])
    pair_counts = collections.Counter(Partnership.objects.values_list("government_a_id", "government_b_id"))
    ids = collections.Counter(a["id"] for a in creates)
    for ack in creates:
        sent, row = ack["sent"], found.get(ack["id"])
        pair = tuple(sorted([sent["government_a_id"], sent["government_b_id"]]))
        if ids[ack["id"]] > 1:
            problems.append(f"id {ack['id']} was acknowledged for {ids[ack['id']]} creates")
        if row is None:
            lost += 1
            problems.append(f"acknowledged create {ack['id']} {pair} is missing")
            continue
        stored = {
            "pair": (row.government_a_id, row.government_b_id),
            "kind": row.kind,
            "basis": row.basis,
            "notes": row.notes,
            "public": row.public,
            "fields": sorted(f.code for f in row.fields.all()),
        }
        expected = {
            "pair": pair,
            "kind": sent["kind"],
            "basis": sent["basis"],
            "notes": sent["notes"],
            "public": sent["public"],
            "fields": sorted(sent["fields"]),
        }
        if stored != expected:
            lost += 1
            problems.append(f"create {ack['id']}: stored {stored} but acknowledged {expected}")
        if pair_counts[pair] != 1:
            problems.append(f"pair {pair} is stored {pair_counts[pair]} times")
    unacknowledged_creates = (
        Partnership.objects.filter(notes__startswith="created by load-")
        .exclude(pk__in=[a["id"] for a in creates])
        .count()
    )

    # --- edits of the shared records -------------------------------------------------------
    by_record = collections.defaultdict(list)
    for ack in updates:
        by_record[ack["id"]].append(ack)
    hot_ids = [h["id"] for h in plan["hot"]]
    rows = Partnership.objects.in_bulk(hot_ids)
    for pk in hot_ids:
        row, mine = rows[pk], sorted(by_record.get(pk, []), key=lambda a: a["version"])
        versions = [a["version"] for a in mine]
        for ack in mine:
            if ack["version"] != ack["sent"]["version"] + 1 or ack["notes"] != ack["sent"]["notes"]:
                overwritten += 1
                problems.append(
                    f"partnership {pk}: edit sent on version {ack['sent']['version']} was "
                    f"acknowledged as version {ack['version']}"
                )
        duplicates = [v for v, n in collections.Counter(versions).items() if n > 1]
        if duplicates:
            overwritten += sum(collections.Counter(versions)[v] - 1 for v in duplicates)
            problems.append(f"partnership {pk}: versions {duplicates} acknowledged more than once")
        if mine:
            expected_versions = list(range(versions[0], row.version + 1))
            if sorted(set(versions)) != expected_versions:
                gaps = sorted(set(expected_versions) - set(versions))
                problems.append(
                    f"partnership {pk}: stored version {row.version}; versions saved without "
                    f"an acknowledgement: {gaps[:10]}{'…' if len(gaps) > 10 else ''}"
                )
            if row.notes != mine[-1]["notes"]:
                overwritten += 1
                problems.append(
                    f"partnership {pk}: notes are {row.notes!r}, the last acknowledged edit wrote {mine[-1]['notes']!r}"
                )
        history = list(
            row.history.filter(history_type="~", notes__startswith="edited by ")
            .order_by("history_date", "history_id")
            .values_list("notes", flat=True)
        )
        counts = collections.Counter(history)
        for ack in mine:
            if counts[ack["notes"]] != 1:
                lost += 1
                problems.append(
                    f"partnership {pk}: the edit {ack['notes']!r} is in the history {counts[ack['notes']]} times"
                )
        acknowledged_order = [a["notes"] for a in mine]
        if [n for n in history if n in set(acknowledged_order)] != acknowledged_order:
            problems.append(
                f"partnership {pk}: the history does not hold the acknowledged edits in the order of their versions"
            )
            overwritten += 1

    # --- activities, agreements, meetings, messages; jobs; caches ------------------------------
    record_counts, lost_records = check_records(acks, problems)
    lost += lost_records
    jobs = check_jobs(acks, mails_folder, problems) if mails_folder else {}
    cache_checks = [a for a in acks if a["op"] == "cache"]
    stale = [a for a in cache_checks if not a["fresh"]]
    for ack in stale[:10]:
        problems.append(
            f"partnership {ack['partnership']}: another server ranked it with last held {ack['seen']} right after "
            f"an activity held at {ack['written']} was saved"
        )

    summary = {
        "acknowledged_records": record_counts,
        **jobs,
        "cache_checks": len(cache_checks),
        "stale_reads": len(stale),
        "acknowledged_creates": len(creates),
        "acknowledged_updates": len(updates),
        "refused_updates_409": refused,
        "lost_writes": lost,
        "overwritten_writes": overwritten,
        "unacknowledged_creates_stored": unacknowledged_creates,
        "problems": len(problems),
    }
    for problem in problems[:50]:
        print("PROBLEM:", problem)
    print(
        f"verified: {len(creates)} acknowledged creates, {len(updates)} acknowledged edits of "
        f"{len(hot_ids)} shared partnerships, {refused} edits refused with 409; "
        f"{lost} lost, {overwritten} overwritten, {len(problems)} problems"
    )
    print(
        "verified records: "
        + ", ".join(f"{n} {kind}" for kind, n in record_counts.items())
        + (
            f"; notifications {jobs['notifications_delivered']} delivered of {jobs['expected_notifications']} "
            f"expected, {jobs['jobs_run_twice']} twice"
            if jobs
            else "; no worker ran (jobs not checked)"
        )
        + f"; {len(cache_checks)} reads on another server, {len(stale)} stale"
    )
    print(json.dumps(summary))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
