"""The load scenario: anonymous visitors reading, and office editors writing through the API.

Every write the server acknowledges is appended to LOAD_ACKS (one JSON object a line) with
what was sent and what came back, for `loadtest.verify` to find in the database afterwards.
A 409 on an edit is the correct refusal of a stale version, not an error; anything else that
is not the expected answer (a 5xx, a connection error, an unexpected 4xx) is a failure.

Besides the partnership creates and edits, editors record activities, agreements and meetings
on their office's shared partnership and post messages in its conversation (each carries a
unique marker to be found afterwards). With LOAD_SERVERS (the app servers behind the proxy,
comma-separated; `make cluster-load`), an editor also records a held activity through one
server and at once reads the health ranking through another: it must show the activity (the
ranking is cached, and the cache must be one for all processes).

LOAD_PLAN is the plan that `loadtest.setup` wrote.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import uuid

from locust import FastHttpUser, between, task

PLAN = json.load(open(os.environ["LOAD_PLAN"]))
ACKS = open(os.environ["LOAD_ACKS"], "a", buffering=1)
HEADERS = {"X-Forwarded-Proto": "https", "Accept-Language": "en"}  # as the TLS proxy would send
EDITORS = itertools.cycle([(i, editor) for i, office in enumerate(PLAN["offices"]) for editor in office["editors"]])
# Creates take partner governments from their office's pool; the pool is shared by that office's
# editors only (Locust's users are greenlets of one process, so a pop is never shared).
POOLS = [list(office["targets"]) for office in PLAN["offices"]]
HOT = {i: hot["id"] for hot in PLAN["hot"] for i in hot["offices"]}
LIST_FILTERS = [
    "",
    "?country=JP",
    "?kind=sister_city",
    "?q=port",
    "?status=active&field=education",
    "?country=ID&kind=friendship",
    "?q=load",
    "?page=2",
]
SERVERS = [server for server in os.environ.get("LOAD_SERVERS", "").split(",") if server]
FIELDS = ["culture", "education", "trade", "tourism", "environment", "smart_city", "health"]


def record(entry: dict) -> None:
    ACKS.write(json.dumps(entry) + "\n")


def past_start() -> dt.datetime:
    """A start within the last two years (whole minutes, UTC)."""
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    return now - dt.timedelta(days=random.randint(2, 700), minutes=random.randint(0, 600))


class Visitor(FastHttpUser):
    """Someone who is not logged in: the portal pages and the public API."""

    weight = 1
    wait_time = between(0.1, 0.5)

    def get(self, path: str, name: str):
        with self.client.get(path, headers=HEADERS, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    @task(3)
    def partnership_list(self):
        self.get("/partnerships/" + random.choice(LIST_FILTERS), "/partnerships/?filters")

    @task(3)
    def partnership_page(self):
        self.get(f"/partnerships/{random.choice(PLAN['reads']['partnerships'])}/", "/partnerships/<id>/")

    @task(2)
    def government_page(self):
        self.get(
            f"/partnerships/governments/{random.choice(PLAN['reads']['governments'])}/",
            "/partnerships/governments/<id>/",
        )

    @task(3)
    def place_search(self):
        self.get(f"/api/places?q={random.choice(PLAN['reads']['places'])}", "/api/places?q=")

    @task(2)
    def dashboard(self):
        self.get("/", "/ (dashboard)")

    @task(2)
    def api_lists(self):
        self.get(
            random.choice(
                [
                    "/api/partnerships?limit=50",
                    "/api/governments?country=JP&limit=50",
                    "/api/partnerships?country=ID&kind=sister_city",
                ]
            ),
            "/api/ lists",
        )


class Editor(FastHttpUser):
    """An editor of one of the ten load offices, with an API token."""

    weight = 1
    wait_time = between(0.1, 0.5)

    def on_start(self):
        self.office, editor = next(EDITORS)
        self.username = editor["username"]
        self.government = PLAN["offices"][self.office]["government_id"]
        self.headers = {**HEADERS, "Authorization": f"Bearer {editor['token']}"}

    @task(2)
    def create(self):
        pool = POOLS[self.office]
        if not pool:
            return
        partner = pool.pop()
        body = {
            "government_a_id": self.government,
            "government_b_id": partner,
            "kind": random.choice(["sister_city", "friendship", "cooperation"]),
            "fields": random.sample(FIELDS, 2),
            "basis": "load test",
            "notes": f"created by {self.username} {uuid.uuid4().hex}",
            "public": random.random() < 0.7,
        }
        with self.client.post(
            "/api/partnerships", json=body, headers=self.headers, name="POST /api/partnerships", catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            record(
                {
                    "op": "create",
                    "user": self.username,
                    "id": response.json()["id"],
                    "sent": body,
                    "answer": response.json(),
                }
            )

    @task(4)
    def edit_the_shared_record(self):
        """Read, then change the partnership that six editors change at the same time."""
        pk = HOT[self.office]
        with self.client.get(
            f"/api/partnerships/{pk}", headers=self.headers, name="GET /api/partnerships/<hot>", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return
            version = response.json()["version"]
        marker = f"edited by {self.username} {uuid.uuid4().hex}"
        body = {"notes": marker, "status": random.choice(["active", "suspended"]), "version": version}
        with self.client.patch(
            f"/api/partnerships/{pk}",
            json=body,
            headers=self.headers,
            name="PATCH /api/partnerships/<hot>",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                response.success()  # someone saved in between: the refusal is the right answer
                record({"op": "refused", "user": self.username, "id": pk, "sent": body})
            elif response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            else:
                answer = response.json()
                record(
                    {
                        "op": "update",
                        "user": self.username,
                        "id": pk,
                        "sent": body,
                        "version": answer["version"],
                        "notes": answer["notes"],
                    }
                )

    @task(3)
    def read_own(self):
        with self.client.get(
            f"/api/partnerships?government={self.government}&limit=50",
            headers=self.headers,
            name="GET /api/partnerships?government=",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    # --- the partnership's records: activities, agreements, meetings, messages ------------------

    def _create(self, kind: str, path: str, body: dict, name: str, *, form: bool = False, check=None):
        """POST a new record; an acknowledged one (201) is written to the acks with its marker."""
        send = {"data": body} if form else {"json": body}
        with self.client.post(path, headers=self.headers, name=name, catch_response=True, **send) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            answer = response.json()
            record(
                {"op": kind, "user": self.username, "id": answer["id"], "partnership": HOT[self.office], "sent": body}
            )
            return answer

    def marker(self, what: str) -> str:
        return f"load {what} by {self.username} {uuid.uuid4().hex}"

    @task(1)
    def record_activity(self):
        start = past_start()
        self._create(
            "activity",
            f"/api/partnerships/{HOT[self.office]}/activities",
            {
                "title": self.marker("activity"),
                "type": "information_exchange",
                "status": "held",
                "modality": "virtual",
                "host_id": self.government,
                "start": start.isoformat(),
                "end": (start + dt.timedelta(hours=2)).isoformat(),
            },
            "POST /api/partnerships/<hot>/activities",
        )

    @task(1)
    def draft_agreement(self):
        self._create(
            "agreement",
            "/api/agreements",
            {"partnership_id": HOT[self.office], "title": self.marker("agreement")},
            "POST /api/agreements",
        )

    @task(1)
    def schedule_meeting(self):
        start = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(days=random.randint(1, 300))
        self._create(
            "meeting",
            "/api/meetings",
            {"partnership_id": HOT[self.office], "title": self.marker("meeting"), "start": start.isoformat()},
            "POST /api/meetings",
        )

    @task(1)
    def post_message(self):
        self._create(
            "message",
            f"/api/conversations/{HOT[self.office]}/messages",
            {"body": self.marker("message")},
            "POST /api/conversations/<hot>/messages",
            form=True,
        )

    @task(1)
    def write_on_one_server_read_on_another(self):
        """A held activity through one app server; the health ranking through another at once."""
        if len(SERVERS) < 2:
            return
        writer, reader = random.sample(SERVERS, 2)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
        answer = self._create(
            "activity",
            f"{writer}/api/partnerships/{HOT[self.office]}/activities",
            {
                "title": self.marker("activity"),
                "type": "information_exchange",
                "status": "held",
                "modality": "virtual",
                "host_id": self.government,
                # later than any other held activity of the load: the ranking must show this one
                "start": now.isoformat(),
                "end": (now + dt.timedelta(hours=1)).isoformat(),
            },
            "POST (server A) /api/partnerships/<hot>/activities",
        )
        if answer is None:
            return
        with self.client.get(
            f"{reader}/api/insights/health?government={self.government}&limit=100",
            headers=self.headers,
            name="GET (server B) /api/insights/health",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return
            rows = [r for r in response.json()["items"] if r["partnership_id"] == HOT[self.office]]
            seen = dt.datetime.fromisoformat(rows[0]["last_held"]) if rows and rows[0]["last_held"] else None
            fresh = seen is not None and seen >= now
            record(
                {
                    "op": "cache",
                    "user": self.username,
                    "partnership": HOT[self.office],
                    "activity": answer["id"],
                    "written": now.isoformat(),
                    "seen": seen.isoformat() if seen else None,
                    "fresh": fresh,
                }
            )
            if not fresh:
                response.failure(f"server B ranks with last held {seen}, before the activity held at {now}")
