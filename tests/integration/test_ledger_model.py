"""The compte ressource against a pure model of its rules (hypothesis state machine).

Each example runs on a fresh database copied from the migrated template; the services run
for real on it, and after every step every balance and every acquisition must be what the
model says.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import msgspec
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from accounts import acquisitions, decisions, ledger
from accounts.errors import (
    InsufficientFundsError,
    KeyReusedError,
    WrongStateError,
)
from accounts.models import NewAcquisition, NewAllocation, NewPeriod, Rules
from catalogue.database import connect, create_pool, with_database
from catalogue.errors import CatalogueError, UnprocessableError
from catalogue.identity.models import Principal
from catalogue.identity.secrets import derive_key
from catalogue.vocabularies.index import VocabularyIndex
from tests.integration.ledger_world import LYON_UAI, OFFERS, OTHER_UAI, UAI, World, build_world

T = TypeVar("T")
KEY = derive_key("m" * 40, "pseudonym")
TEACHERS = ("camille", "dominique", "lou")
PRICED = ("teacher", "class", "school", "free")
ADMIN_OF = {UAI: "head", OTHER_UAI: "other_head", LYON_UAI: "lyon_admin"}


@dataclass
class Model:
    """What the rules say the ledger holds. Account keys: (kind, owner)."""

    balances: dict[tuple[str, str], int] = field(default_factory=dict)
    keys: dict[tuple[str, str], tuple[tuple[str, int], int, dict[str, Any]]] = field(
        default_factory=dict
    )
    status: dict[str, str] = field(default_factory=dict)
    owner: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # id: teacher, uai, total
    threshold: dict[str, int | None] = field(default_factory=dict)

    def move(self, source: tuple[str, str], destination: tuple[str, str], cents: int) -> bool:
        if source[0] != "funding" and self.balances.get(source, 0) < cents:
            return False
        self.balances[source] = self.balances.get(source, 0) - cents
        self.balances[destination] = self.balances.get(destination, 0) + cents
        return True


class LedgerMachine(RuleBasedStateMachine):
    bought = Bundle("bought")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.model = Model()
        self.db_name = f"model_{uuid.uuid4().hex[:12]}"
        self.uai_of = dict(PEOPLE_UAI)  # where each teacher works now (they may move)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    @initialize()
    def start(self) -> None:
        self.run(self._start())
        # Money all the way down, so that most examples get to spend and decide.
        self.fund_academie(2_000_000)
        for uai in (UAI, OTHER_UAI):
            self.fund_establishment(uai, 400_000)
        for teacher in TEACHERS:
            self.fund_teacher(teacher, 60_000)
        self.set_threshold(UAI, 5_000)  # so that approvals come often

    async def _start(self) -> None:
        admin = await connect(ADMIN_URL)
        try:
            await admin.execute(f'CREATE DATABASE "{self.db_name}" TEMPLATE "{TEMPLATE}"')
        finally:
            await admin.close()
        url = with_database(ADMIN_URL, self.db_name)
        self.pool = await create_pool(url, max_size=2)
        async with self.pool.acquire() as conn:
            self.world: World = await build_world(conn)
            await ledger.open_period(conn, NewPeriod())
        self.vocab = VOCAB

    def teardown(self) -> None:
        async def stop() -> None:
            await self.pool.close()
            admin = await connect(ADMIN_URL)
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            finally:
                await admin.close()

        if hasattr(self, "pool"):
            self.run(stop())
        self.loop.close()

    def principal_of(self, teacher: str) -> Principal:
        """The teacher's principal where they work now."""
        return msgspec.structs.replace(
            self.world.principal(teacher), establishment_uai=self.uai_of[teacher]
        )

    def account_of(self, teacher: str) -> tuple[str, str]:
        return ("teacher", str(self.world.people[teacher]))

    def publisher_of(self, teacher: str) -> tuple[str, str]:
        """The publisher's account that this teacher's purchases credit."""
        assert self.world.publisher_id is not None
        shard = acquisitions.publisher_shard(self.world.people[teacher])
        return ("publisher", acquisitions.publisher_owner(self.world.publisher_id, shard))

    # Rules of the machine

    @rule(cents=st.integers(1, 2_000_000))
    def fund_academie(self, cents: int) -> None:
        self._allocate("national", "academie", "paris", cents, ("funding", "national"))

    @rule(uai=st.sampled_from([UAI, OTHER_UAI]), cents=st.integers(1, 500_000))
    def fund_establishment(self, uai: str, cents: int) -> None:
        self._allocate("paris_admin", "establishment", uai, cents, ("academie", "paris"))

    @rule(teacher=st.sampled_from(TEACHERS), cents=st.integers(1, 100_000))
    def fund_teacher(self, teacher: str, cents: int) -> None:
        uai = self.uai_of[teacher]
        owner = str(self.world.people[teacher])
        self._allocate(ADMIN_OF[uai], "teacher", owner, cents, ("establishment", uai))

    def _allocate(self, who: str, kind: str, to: str, cents: int, source: tuple[str, str]) -> None:
        expected = self.model.move(source, (kind, to), cents)

        async def call() -> None:
            new = NewAllocation(to_kind=kind, to=to, amount_cents=cents)  # type: ignore[arg-type]
            await ledger.retrying(
                self.pool, lambda conn: ledger.allocate(conn, self.world.principal(who), new)
            )

        self._expect(call(), None if expected else InsufficientFundsError)

    @rule(
        uai=st.sampled_from([UAI, OTHER_UAI]),
        threshold=st.sampled_from([None, 1_000, 5_000, 25_000, 30_000]),
    )
    def set_threshold(self, uai: str, threshold: int | None) -> None:
        self.model.threshold[uai] = threshold

        async def call() -> None:
            async with self.pool.acquire() as conn:
                await ledger.write_rules(
                    conn,
                    self.vocab,
                    principal=self.world.principal(ADMIN_OF[uai]),
                    scope_kind="establishment",
                    scope=uai,
                    rules=Rules(approval_threshold_cents=threshold),
                )

        self.run(call())

    @rule(
        target=bought,
        teacher=st.sampled_from(TEACHERS),
        offer=st.sampled_from(PRICED),
        quantity=st.integers(1, 3),
        key=st.sampled_from(["a", "b", "c", "d", "e", "f"]),
    )
    def acquire(self, teacher: str, offer: str, quantity: int, key: str) -> str:
        body = (offer, quantity)
        prior = self.model.keys.get((teacher, key))
        principal = self.principal_of(teacher)
        new = NewAcquisition(offer_id=self.world.offers[offer], quantity=quantity)
        call = acquisitions.acquire(self.pool, self.vocab, KEY, principal, key=key, new=new)
        if prior is not None:
            if prior[0] != body:
                self._expect(call, KeyReusedError)
                return ""
            assert self.run(call) == prior[1:]  # the first answer, whatever happened since
            return str(prior[2]["id"])
        if quantity > 1 and OFFERS[offer][0] != "class_seats":
            self._expect(call, UnprocessableError)  # a single-seat licence: one at a time
            return ""
        uai = self.uai_of[teacher]
        total = OFFERS[offer][1] * quantity
        threshold = self.model.threshold.get(uai)
        pending = threshold is not None and total >= threshold
        destination = ("held", uai) if pending else self.publisher_of(teacher)
        if total and self.model.balances.get(self.account_of(teacher), 0) < total:
            self._expect(call, InsufficientFundsError)
            return ""
        self.model.move(self.account_of(teacher), destination, total)
        status, answer = self.run(call)
        assert (status, answer["status"]) == (
            (202, "pending_approval") if pending else (201, "completed")
        )
        self.model.keys[(teacher, key)] = (body, status, answer)
        self.model.status[answer["id"]] = answer["status"]
        self.model.owner[answer["id"]] = (teacher, uai, total)
        return str(answer["id"])

    @rule(acquisition=bought, action=st.sampled_from(["approve", "reject", "cancel", "refund"]))
    def decide(self, acquisition: str, action: str) -> None:
        if not acquisition:
            return
        teacher, uai, total = self.model.owner[acquisition]
        who = teacher if action == "cancel" else ADMIN_OF[uai]
        status = self.model.status[acquisition]
        call = decisions.decide(
            self.pool,
            KEY,
            self.principal_of(who) if who == teacher else self.world.principal(who),
            uuid.UUID(acquisition),
            action,
            refund_window=timedelta(days=30),
        )
        needed = "completed" if action == "refund" else "pending_approval"
        if status != needed:
            self._expect(call, WrongStateError)
            return
        publisher = self.publisher_of(teacher)
        source, destination, after = {
            "approve": (("held", uai), publisher, "completed"),
            "reject": (("held", uai), self.account_of(teacher), "rejected"),
            "cancel": (("held", uai), self.account_of(teacher), "cancelled"),
            "refund": (publisher, self.account_of(teacher), "refunded"),
        }[action]
        assert self.model.move(source, destination, total)
        assert self.run(call).status == after
        self.model.status[acquisition] = after

    def _expect(self, call: Coroutine[Any, Any, Any], error: type[CatalogueError] | None) -> None:
        if error is None:
            self.run(call)
            return
        with pytest.raises(error):
            self.run(call)

    # What must hold after every step

    @invariant()
    def balances_match_the_model(self) -> None:
        if not hasattr(self, "pool"):
            return
        rows = self.run(self.pool.fetch("SELECT kind, owner, balance_cents FROM accounts"))
        actual = {(r["kind"], r["owner"]): r["balance_cents"] for r in rows}
        expected = {k: v for k, v in self.model.balances.items() if v}
        assert {k: v for k, v in actual.items() if v} == expected
        assert sum(actual.values()) == 0

    @invariant()
    def acquisitions_match_the_model(self) -> None:
        if not hasattr(self, "pool"):
            return
        rows = self.run(
            self.pool.fetch(
                "SELECT a.id::text, a.status, count(l.id) AS licences, "
                "count(*) FILTER (WHERE l.revoked_at IS NOT NULL) AS revoked "
                "FROM acquisitions a LEFT JOIN licences l ON l.acquisition_id = a.id GROUP BY a.id"
            )
        )
        assert {r["id"]: r["status"] for r in rows} == self.model.status
        for r in rows:
            has_licence = r["status"] in ("completed", "refunded")
            assert r["licences"] == int(has_licence)
            assert r["revoked"] == int(r["status"] == "refunded")


PEOPLE_UAI = {"camille": UAI, "dominique": UAI, "lou": OTHER_UAI}
ADMIN_URL = ""
TEMPLATE = ""
VOCAB: VocabularyIndex


@pytest.fixture
async def machine_setup(admin_url: str, template_url: str) -> None:
    global ADMIN_URL, TEMPLATE, VOCAB  # noqa: PLW0603  # hypothesis builds the machine itself
    ADMIN_URL = admin_url
    TEMPLATE = urlsplit(template_url).path.lstrip("/")
    conn = await connect(template_url)
    try:
        VOCAB = await VocabularyIndex.load(conn)
    finally:
        await conn.close()


LedgerMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.usefixtures("machine_setup")
def test_the_ledger_follows_its_model() -> None:
    LedgerMachine.TestCase().runTest()
