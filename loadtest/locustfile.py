"""The load scenario: anonymous visitors reading, and office editors writing through the API.

Every write the server acknowledges is appended to LOAD_ACKS (one JSON object a line) with
what was sent and what came back, for `loadtest.verify` to find in the database afterwards.
A 409 on an edit is the correct refusal of a stale version, not an error; anything else that
is not the expected answer (a 5xx, a connection error, an unexpected 4xx) is a failure.

LOAD_PLAN is the plan that `loadtest.setup` wrote.
"""

from __future__ import annotations

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
FIELDS = ["culture", "education", "trade", "tourism", "environment", "smart_city", "health"]


def record(entry: dict) -> None:
    ACKS.write(json.dumps(entry) + "\n")


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
        body = {"notes": marker, "status": random.choice(["active", "dormant"]), "version": version}
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
