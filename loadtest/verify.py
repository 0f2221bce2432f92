"""After the load run: is every acknowledged write in the database, once, and still itself?

Creates: each acknowledged partnership exists under the id the server answered, between the
two governments sent, with what was sent (kind, fields, basis, notes, public), and its pair
exists once.

Edits of the shared partnerships: the versions the server acknowledged are distinct and each
is the version sent plus one, so no two acknowledged edits were applied to the same version
(one silently overwriting the other); they run without gaps from the first edit to the
record's current version; the record's notes are those of the last acknowledged edit; and
the history holds every acknowledged edit exactly once, in the order of their versions.

    DATABASE_URL=... python -m loadtest.verify PLAN.json ACKS.jsonl   (last line: JSON)
"""

from __future__ import annotations

import collections
import json
import os
import sys


def main(plan_path: str, acks_path: str) -> int:
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

    summary = {
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
    print(json.dumps(summary))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
