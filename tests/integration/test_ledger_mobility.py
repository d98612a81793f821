"""Moves and departures against the ledger's model (hypothesis state machine, issue 18).

The machine of test_ledger_model, with teachers who move between three establishments of two
académies (under either rule for their envelope) and leave: after every step the balances
are what the model says, every ledger invariant holds, and a teacher's open accounts belong
to their establishment of the moment.
"""

from __future__ import annotations

from typing import cast

import asyncpg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from accounts import acquisitions, movements
from accounts.errors import InactiveError, WrongStateError
from accounts.ledger import allocate, retrying, write_rules
from accounts.models import NewAcquisition, NewAllocation, Rules
from catalogue.errors import UnprocessableError
from tests.integration.ledger_world import LYON_UAI, OTHER_UAI, UAI, ledger_violations
from tests.integration.test_ledger_model import (
    KEY,
    PRICED,
    TEACHERS,
    LedgerMachine,
    machine_setup,  # noqa: F401  # the fixture the machine's class reads its database from
)

ACADEMIE = {UAI: "paris", OTHER_UAI: "paris", LYON_UAI: "lyon"}


class MobilityMachine(LedgerMachine):
    def __init__(self) -> None:
        super().__init__()
        self.gone: set[str] = set()
        self.follow = False  # the académie of Paris's rule

    @rule(follow=st.booleans())
    def set_move_rule(self, follow: bool) -> None:
        self.follow = follow

        async def call() -> None:
            async with self.pool.acquire() as conn:
                await write_rules(
                    conn,
                    self.vocab,
                    principal=self.world.principal("paris_admin"),
                    scope_kind="academie",
                    scope="paris",
                    rules=Rules(envelope_on_move="follow" if follow else "return"),
                )

        self.run(call())

    @rule(teacher=st.sampled_from(TEACHERS), uai=st.sampled_from([UAI, OTHER_UAI, LYON_UAI]))
    def move(self, teacher: str, uai: str) -> None:
        old = self.uai_of[teacher]
        person = self.world.people[teacher]
        call = retrying(
            self.pool,
            lambda conn: movements.move_person(
                conn, person, uai, "mutation", by=self.world.principal("national")
            ),
        )
        if teacher in self.gone:
            self._expect(call, WrongStateError)
            return
        if uai == old:
            self._expect(call, UnprocessableError)
            return
        self._cancel_pending(teacher)
        if not (self.follow and ACADEMIE[old] == ACADEMIE[uai]):
            self._return_envelope(teacher, old)
        self.run(call)
        self.uai_of[teacher] = uai

    @rule(teacher=st.sampled_from(TEACHERS))
    def deactivate(self, teacher: str) -> None:
        person = self.world.people[teacher]
        call = retrying(
            self.pool,
            lambda conn: movements.deactivate_person(
                conn, person, "départ", by=self.world.principal("national")
            ),
        )
        if teacher in self.gone:
            self._expect(call, WrongStateError)
            return
        self._cancel_pending(teacher)
        self._return_envelope(teacher, self.uai_of[teacher])
        self.run(call)
        self.gone.add(teacher)

    def _cancel_pending(self, teacher: str) -> None:
        for acquisition, (owner, uai, total) in self.model.owner.items():
            if owner == teacher and self.model.status[acquisition] == "pending_approval":
                assert self.model.move(("held", uai), self.account_of(teacher), total)
                self.model.status[acquisition] = "cancelled"

    def _return_envelope(self, teacher: str, uai: str) -> None:
        left = self.model.balances.get(self.account_of(teacher), 0)
        if left:
            assert self.model.move(self.account_of(teacher), ("establishment", uai), left)

    # A teacher who left gets no allocation and buys nothing new.

    @rule(teacher=st.sampled_from(TEACHERS), cents=st.integers(1, 100_000))
    def fund_teacher(self, teacher: str, cents: int) -> None:
        if teacher not in self.gone:
            super().fund_teacher(teacher, cents)
            return
        self._expect(self._allocation(teacher, cents), InactiveError)

    async def _allocation(self, teacher: str, cents: int) -> None:
        person = str(self.world.people[teacher])
        new = NewAllocation(to_kind="teacher", to=person, amount_cents=cents)
        principal = self.world.principal("national")
        await retrying(self.pool, lambda conn: allocate(conn, principal, new))

    @rule(
        target=LedgerMachine.bought,
        teacher=st.sampled_from(TEACHERS),
        offer=st.sampled_from(PRICED),
        quantity=st.integers(1, 3),
        key=st.sampled_from(["a", "b", "c", "d", "e", "f"]),
    )
    def acquire(self, teacher: str, offer: str, quantity: int, key: str) -> str:
        if teacher in self.gone and (teacher, key) not in self.model.keys:
            new = NewAcquisition(offer_id=self.world.offers[offer], quantity=quantity)
            call = acquisitions.acquire(
                self.pool, self.vocab, KEY, self.principal_of(teacher), key=key, new=new
            )
            self._expect(call, UnprocessableError)
            return ""
        return cast(str, super().acquire(teacher, offer, quantity, key))

    # What must hold after every step, besides the model's balances and acquisitions.

    @invariant()
    def the_ledger_holds(self) -> None:
        if not hasattr(self, "pool"):
            return

        async def check() -> tuple[list[str], int]:
            async with self.pool.acquire() as conn:
                connection = cast(asyncpg.Connection, conn)
                misplaced: int = await conn.fetchval(
                    "SELECT count(*) FROM accounts a JOIN people p ON p.id::text = a.owner "
                    "WHERE a.kind = 'teacher' AND a.establishment_uai <> p.establishment_uai"
                )
                return await ledger_violations(connection), misplaced

        violations, misplaced = self.run(check())
        assert violations == []
        assert misplaced == 0


MobilityMachine.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.usefixtures("machine_setup")
def test_moves_and_departures_keep_the_ledger_whole() -> None:
    MobilityMachine.TestCase().runTest()
