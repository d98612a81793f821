"""Demo data: an open school year, envelopes down to the demo teacher, and some history."""

from __future__ import annotations

from uuid import UUID

from accounts import ledger
from accounts.acquisitions import acquire_in
from accounts.models import NewAcquisition, NewAllocation, NewPeriod
from catalogue.config import Settings
from catalogue.database import Connection
from catalogue.demo import demo_loader
from catalogue.identity.demo import DEMO_IDENTITIES, demo_person_id
from catalogue.identity.models import Principal, Role
from catalogue.identity.secrets import derive_key, resolve_secret_key
from catalogue.sqlfiles import load_queries
from catalogue.vocabularies.index import VocabularyIndex

SQL = load_queries("catalogue.demo")
# académie, establishment, teacher: in euro cents
ENVELOPES = (5_000_000, 1_000_000, 30_000)


@demo_loader(step=3)
async def seed_accounts(conn: Connection, settings: Settings) -> None:
    if await conn.fetchval(SQL["period_covering_today"]) is not None:
        return  # seeded already, or a real period exists (even closed): leave it alone
    period = await ledger.open_period(conn, NewPeriod())
    teacher = DEMO_IDENTITIES["teacher"]
    assert teacher.establishment_uai is not None
    assert teacher.academie is not None
    national = await _principal(conn, "national_admin")
    teacher_id = await demo_person_id(conn, "teacher")
    for kind, owner, cents in (
        ("academie", teacher.academie, ENVELOPES[0]),
        ("establishment", teacher.establishment_uai, ENVELOPES[1]),
        ("teacher", str(teacher_id), ENVELOPES[2]),
    ):
        new = NewAllocation(to_kind=kind, to=owner, amount_cents=cents)  # type: ignore[arg-type]
        await ledger.allocate(conn, national, new, period=period)
    offer_id = await conn.fetchval(SQL["demo_offer"])
    if offer_id is None:
        return
    buyer = await _principal(conn, "teacher")
    key = derive_key(resolve_secret_key(settings), "pseudonym")
    vocab = await VocabularyIndex.load(conn)
    await acquire_in(conn, vocab, key, buyer, key="demo-1", new=NewAcquisition(offer_id=offer_id))


async def _principal(conn: Connection, role: str) -> Principal:
    identity = DEMO_IDENTITIES[role]
    person_id: UUID = await demo_person_id(conn, role)
    return Principal(
        kind="person",
        id=str(person_id),
        roles=frozenset(Role(r) for r in identity.roles),
        establishment_uai=identity.establishment_uai,
        academie=identity.academie,
    )
