"""The journeys bench/load.py drives through locust (not meant to be run on its own).

    locust -f bench/locustfile.py --headless Journeys   # LOAD_PLAN=plan.json, from load.py

Each simulated user sends its requests back to back (no think time), to one app process:
users are spread round-robin over the plan's hosts. The user's API calls go out as a random
teacher of the plan (bearer token), its HTML pages as one signed-in teacher (session cookie),
its imports as the plan's publisher. Every answer is timed and recorded here, with its
status; at exit the samples go to the plan's results file for load.py to read.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
HOSTS = itertools.cycle(range(len(PLAN["hosts"])))
NOTICES = itertools.count()
# journey -> [completed at (epoch s), milliseconds, status (0: no answer; -1: wrong answer)]
SAMPLES: defaultdict[str, list[tuple[float, float, int]]] = defaultdict(list)
REFUSED = "/problems/insufficient-funds"  # a business answer, not an error
ACQUIRED: list[tuple[str, str, str]] = []  # person, Idempotency-Key, acquisition id
IMPORTED: list[str] = []  # resource ids

NOTICE = """<lom:lom><lom:general>
<lom:identifier><lom:catalog>URL</lom:catalog><lom:entry>{url}</lom:entry></lom:identifier>
<lom:title><lom:string language="fre">{title}</lom:string></lom:title>
<lom:language>fre</lom:language>
<lom:description><lom:string language="fre">Une séquence importée pendant le test de charge :
lecture, exercices et corrigés pour la classe.</lom:string></lom:description>
<lom:keyword><lom:string language="fre">{word}</lom:string></lom:keyword>
</lom:general></lom:lom>"""


def word(number: int) -> str:
    """A word no generated title holds (letters only, so the French stemmer keeps it whole)."""
    letters = "bcdfghjklmnpqrstvwxz"
    out = ""
    while True:
        number, digit = divmod(number, len(letters))
        out += letters[digit]
        if not number:
            return f"chargex{out}"


def notices(count: int) -> bytes:
    records = []
    for _ in range(count):
        number = next(NOTICES)
        unique = f"{PLAN['label']}{os.getpid()}{word(number)}"
        records.append(
            NOTICE.format(
                url=f"https://banc-de-charge.example/{unique}",
                title=f"Séquence de charge {unique}",
                word=unique,
            )
        )
    body = '<records xmlns:lom="http://ltsc.ieee.org/xsd/LOM">' + "".join(records) + "</records>"
    return body.encode()


class Journeys(FastHttpUser):
    wait_time = constant(0)
    host = PLAN["hosts"][0]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        index = next(HOSTS)
        self.host = PLAN["hosts"][index]
        self.other = PLAN["hosts"][(index + 1) % len(PLAN["hosts"])]
        super().__init__(*args, **kwargs)
        self.page_teacher = random.choice(PLAN["teachers"])

    def timed(self, journey: str, method: str, url: str, **kwargs: Any) -> Any:
        started = time.perf_counter()
        response = self.client.request(method, url, name=journey, allow_redirects=False, **kwargs)
        elapsed = (time.perf_counter() - started) * 1000
        SAMPLES[journey].append((time.time(), elapsed, response.status_code or 0))
        return response

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    @task(60)
    def search(self) -> None:
        teacher = random.choice(PLAN["teachers"])
        params = random.choice(PLAN["queries"])
        self.timed(
            "search", "GET", "/api/v1/search", params=params, headers=self.bearer(teacher[1])
        )

    @task(15)
    def resource(self) -> None:
        teacher = random.choice(PLAN["teachers"])
        resource = random.choice(PLAN["resources"])
        self.timed(
            "resource (JSON)",
            "GET",
            f"/api/v1/resources/{resource}",
            headers=self.bearer(teacher[1]),
        )

    @task(10)
    def resource_page(self) -> None:
        resource = random.choice(PLAN["resources"])
        cookie = f"catalogue_session={self.page_teacher[2]}"
        self.timed(
            "resource page (HTML)", "GET", f"/ressources/{resource}", headers={"Cookie": cookie}
        )

    @task(10)
    def acquisition(self) -> None:
        person, token, _ = random.choice(PLAN["teachers"])
        key = str(uuid.uuid4())
        body = {"offer_id": random.choice(PLAN["offers"])}
        headers = {**self.bearer(token), "Idempotency-Key": key}
        response = self.timed(
            "acquisition", "POST", "/api/v1/acquisitions", json=body, headers=headers
        )
        if response.status_code == 422 and response.json().get("type") == REFUSED:
            SAMPLES["acquisition"][-1] = (*SAMPLES["acquisition"][-1][:2], 1)  # refused
            return
        if response.status_code != 201:
            return
        acquired = response.json()["id"]
        ACQUIRED.append((person, key, acquired))
        if random.random() < PLAN["replay"]:
            # The same request again, through the other process: the same acquisition back.
            started = time.perf_counter()
            again = self.client.post(
                f"{self.other}/api/v1/acquisitions", json=body, headers=headers, name="replay"
            )
            same = again.status_code == 201 and again.json()["id"] == acquired
            SAMPLES["acquisition replay"].append(
                (
                    time.time(),
                    (time.perf_counter() - started) * 1000,
                    again.status_code if same else -1,
                )
            )

    @task(5)
    def import_notices(self) -> None:
        response = self.timed(
            "import",
            "POST",
            "/api/v1/publisher/imports",
            data=notices(PLAN["notices"]),
            headers={**self.bearer(PLAN["publisher"]), "Content-Type": "application/xml"},
        )
        if response.status_code == 201:
            report = response.json()
            if report["created"] != PLAN["notices"]:
                SAMPLES["import"][-1] = (*SAMPLES["import"][-1][:2], -1)
            IMPORTED.extend(item["resource_id"] for item in report["items"])


class Baseline(FastHttpUser):
    """The same load generator on /healthz: what HTTP alone costs on this machine."""

    wait_time = constant(0)
    host = PLAN["hosts"][0]

    @task
    def healthz(self) -> None:
        started = time.perf_counter()
        response = self.client.get("/healthz")
        SAMPLES["/healthz"].append(
            (time.time(), (time.perf_counter() - started) * 1000, response.status_code or 0)
        )


@events.quitting.add_listener
def write_results(**_: Any) -> None:
    Path(PLAN["results"]).write_text(
        json.dumps(
            {
                "samples": SAMPLES,
                "acquired": ACQUIRED,
                "imported": IMPORTED,
                "cpu_s": os.times().user + os.times().system,
            }
        )
    )
