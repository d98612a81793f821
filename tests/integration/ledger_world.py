"""A small world for the compte ressource tests: two académies, three schools, people, offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
import httpx

from catalogue.config import Settings
from catalogue.database import Connection
from catalogue.identity.models import Principal, Role
from tests.integration.conftest import bearer

C = "http://data.education.fr/voc/scolomfr/concept/"
OUVRAGE = f"{C}scolomfr-voc-005-num-029"
MATHS = f"{C}scolomfr-voc-015-num-170"
UAI = "0751234J"
OTHER_UAI = "0755555F"
LYON_UAI = "0691234S"


@dataclass
class World:
    people: dict[str, UUID] = field(default_factory=dict)
    offers: dict[str, UUID] = field(default_factory=dict)
    publisher_id: UUID | None = None
    resource_id: UUID | None = None

    def principal(self, name: str) -> Principal:
        """The same Principal the API builds for these people (for service-level tests)."""
        roles, uai, academie = PEOPLE[name]
        return Principal(
            kind="person",
            id=str(self.people[name]),
            roles=frozenset(Role(r) for r in roles),
            establishment_uai=uai,
            academie=academie,
            publisher_id=self.publisher_id if "publisher" in roles else None,
        )


PEOPLE: dict[str, tuple[tuple[str, ...], str | None, str | None]] = {
    "national": (("national_admin",), None, None),
    "paris_admin": (("academie_admin",), None, "paris"),
    "lyon_admin": (("academie_admin",), None, "lyon"),
    "head": (("establishment_admin",), UAI, "paris"),
    "other_head": (("establishment_admin",), OTHER_UAI, "paris"),
    "camille": (("teacher",), UAI, "paris"),
    "dominique": (("teacher",), UAI, "paris"),
    "lou": (("teacher",), OTHER_UAI, "paris"),
    "publisher": (("publisher",), None, None),
}

# name: licence type, price in cents, duration, seats, status
OFFERS: dict[str, tuple[str, int, str, int | None, str]] = {
    "teacher": ("teacher", 1200, "school_year", None, "published"),
    "class": ("class_seats", 4500, "months", 30, "published"),
    "school": ("establishment", 25_000, "perpetual", None, "published"),
    "free": ("teacher", 0, "perpetual", None, "published"),
    "withdrawn": ("teacher", 500, "school_year", None, "withdrawn"),
}


async def build_world(conn: Connection, *, extra_teachers: int = 0) -> World:
    world = World()
    await conn.execute(
        "INSERT INTO establishments (uai, name, academie) VALUES "
        "($1, 'Collège Victor-Hugo', 'paris'), ($2, 'Lycée Colbert', 'paris'), "
        "($3, 'Collège Ampère', 'lyon')",
        UAI,
        OTHER_UAI,
        LYON_UAI,
    )
    world.publisher_id = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions du Ledger', 'approved') "
        "RETURNING id"
    )
    people = dict(PEOPLE)
    people.update({f"t{i}": (("teacher",), UAI, "paris") for i in range(extra_teachers)})
    for name, (roles, uai, academie) in people.items():
        world.people[name] = await conn.fetchval(
            "INSERT INTO people (issuer, subject, display_name, email, roles, establishment_uai, "
            "academie, publisher_id) VALUES ('urn:test', $1, $2, $3, $4, $5, $6, $7) RETURNING id",
            name,
            name.capitalize(),
            f"{name}@ac-test.invalid",
            list(roles),
            uai,
            academie,
            world.publisher_id if "publisher" in roles else None,
        )
    world.resource_id = await conn.fetchval(
        "INSERT INTO resources (publisher_id, status, title, resource_types, disciplines, "
        "published_at) VALUES ($1, 'published', 'Manuel de mathématiques 6e', $2, $3, now()) "
        "RETURNING id",
        world.publisher_id,
        [OUVRAGE],
        [MATHS],
    )
    for name, (licence, price, duration, seats, status) in OFFERS.items():
        world.offers[name] = await conn.fetchval(
            "INSERT INTO offers (resource_id, licence_type, unit_price_cents, duration, "
            "duration_months, seats, status) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            world.resource_id,
            licence,
            price,
            duration,
            12 if duration == "months" else None,
            seats,
            status,
        )
    return world


async def open_budgets(
    conn: asyncpg.Connection, client: httpx.AsyncClient, settings: Settings
) -> tuple[World, dict[str, dict[str, str]]]:
    """The world, a period open with money down to the school (an approval threshold of
    200 euros there), and each person's API headers; set up through ``client``'s API."""
    world = await build_world(conn)
    headers = {name: await bearer(conn, settings, person) for name, person in world.people.items()}
    for path, body in (
        ("/api/v1/periods", {}),
        ("/api/v1/allocations", {"to_kind": "academie", "to": "paris", "amount_cents": 50_000_000}),
        (
            "/api/v1/allocations",
            {"to_kind": "establishment", "to": UAI, "amount_cents": 10_000_000},
        ),
    ):
        response = await client.post(path, json=body, headers=headers["national"])
        assert response.status_code == 201, response.text
    rules = {"approval_threshold_cents": 20_000}
    response = await client.put(
        f"/api/v1/establishments/{UAI}/rules", json=rules, headers=headers["head"]
    )
    assert response.status_code == 200
    return world, headers


async def ledger_totals(conn: asyncpg.Connection) -> tuple[int, int]:
    """The sum of all balances (always 0) and how many accounts but funding are below zero (0)."""
    row = await conn.fetchrow(
        "SELECT coalesce(sum(balance_cents), 0)::bigint AS total, "
        "count(*) FILTER (WHERE kind <> 'funding' AND balance_cents < 0) AS negative FROM accounts"
    )
    assert row is not None
    return row["total"], row["negative"]


# The transfers each acquisition status allows, in order (a free acquisition moves nothing).
TRANSFERS_BY_STATUS = {
    "completed": ({"purchase"}, {"hold", "capture"}),
    "pending_approval": ({"hold"},),
    "rejected": ({"hold", "release"},),
    "cancelled": ({"hold", "cancellation"},),
    "refunded": ({"purchase", "refund"}, {"hold", "capture", "refund"}),
}


async def ledger_violations(conn: asyncpg.Connection) -> list[str]:
    """Everything that is wrong with the ledger as a whole; empty when all is well."""
    problems: list[str] = []
    total, negative = await ledger_totals(conn)
    if total or negative:
        problems.append(f"sum of balances {total}, {negative} account(s) below zero")
    orphans = await conn.fetchval(
        "SELECT count(*) FROM transfers t WHERE acquisition_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM acquisitions a WHERE a.id = t.acquisition_id)"
    )
    if orphans:
        problems.append(f"{orphans} transfer(s) of no acquisition")
    rows = await conn.fetch(
        "SELECT a.id, a.status, a.total_cents, "
        "coalesce(array_agg(t.kind ORDER BY t.id) FILTER (WHERE t.id IS NOT NULL), '{}') AS kinds, "
        "bool_and(t.amount_cents = a.total_cents) AS amounts_match, "
        "(SELECT count(*) FROM licences l WHERE l.acquisition_id = a.id) AS licences "
        "FROM acquisitions a LEFT JOIN transfers t ON t.acquisition_id = a.id GROUP BY a.id"
    )
    for r in rows:
        kinds = list(r["kinds"])
        allowed = TRANSFERS_BY_STATUS[r["status"]] if r["total_cents"] else (set(),)
        if len(set(kinds)) != len(kinds) or set(kinds) not in allowed:
            problems.append(f"acquisition {r['id']} ({r['status']}) has transfers {kinds}")
        if r["amounts_match"] is False:
            problems.append(f"acquisition {r['id']} moved another amount than its total")
        if r["licences"] != int(r["status"] in ("completed", "refunded")):
            problems.append(f"acquisition {r['id']} ({r['status']}) has {r['licences']} licence(s)")
    return problems
