"""Directory figures: the national dataset of establishments imported, next to a bare COPY.

    python bench/directory.py [--rows 66000]

Writes ROWS establishments in the shape of the ministry's CSV export (its 72 columns, `;`
separated; the real file has about 66,000 rows), then, on a fresh embedded PostgreSQL:
1. baseline: the same file read with the csv module and COPY'd as text into a plain table of
   72 text columns (no checks, no index);
2. `DirectoryService.import_establishments` (read, check every UAI, upsert), into an empty
   directory and then again (every row unchanged).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import tempfile
import time
from pathlib import Path

import repo_root  # the fixture is in tests/
from catalogue.bootstrap import prepare_database
from catalogue.config import Settings
from catalogue.database import connect, create_pool, start_embedded, with_database
from catalogue.directory.service import DirectoryService
from catalogue.identity.uai import check_letter

FIXTURE = Path(repo_root.ROOT) / "tests" / "fixtures" / "directory" / "annuaire-education.csv"


def dataset(rows: int) -> bytes:
    """ROWS rows shaped like the fixture's, each with its own UAI, name and commune."""
    header, *samples = FIXTURE.read_text(encoding="utf-8").splitlines()
    out = [header]
    for number in range(rows):
        cells = samples[number % len(samples)].split(";")
        digits = f"{number % 1000:03d}{number // 1000:04d}"
        cells[0] = digits + check_letter(digits)
        cells[1] = f"{cells[1]} {number}"
        cells[9] = f"{cells[9]} {number % 3000}"
        out.append(";".join(cells))
    return ("\n".join(out) + "\n").encode()


async def bare_copy(url: str, data: bytes) -> float:
    conn = await connect(url)
    try:
        started = time.perf_counter()
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
        header = next(reader)
        columns = ", ".join(f"c{i} text" for i in range(len(header)))
        await conn.execute(f"CREATE TABLE bare_directory ({columns})")
        await conn.copy_records_to_table("bare_directory", records=[tuple(r) for r in reader])
        return time.perf_counter() - started
    finally:
        await conn.close()


async def main(rows: int) -> None:
    data = dataset(rows)
    with tempfile.TemporaryDirectory() as tmp:
        url = with_database(start_embedded(Settings(data_dir=Path(tmp))), "postgres")
        conn = await connect(url)
        await prepare_database(conn)
        await conn.close()
        bare = await bare_copy(url, data)
        async with await create_pool(url, max_size=2) as pool:
            directory = DirectoryService(pool)
            started = time.perf_counter()
            first = await directory.import_establishments(data)
            imported = time.perf_counter() - started
            started = time.perf_counter()
            again = await directory.import_establishments(data)
            reimported = time.perf_counter() - started
    print(f"Directory of {rows:,} establishments ({len(data) / 1e6:.1f} MB of CSV)")
    print(f"  bare csv + COPY            {bare:6.2f} s")
    print(
        f"  import into an empty one   {imported:6.2f} s  ({imported / bare:.1f}x bare; "
        f"{first.created:,} created, {first.rejected} rejected; target < 30 s)"
    )
    print(
        f"  the same file again        {reimported:6.2f} s  ({reimported / bare:.1f}x bare; "
        f"{again.unchanged:,} unchanged)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=66_000)
    asyncio.run(main(parser.parse_args().rows))
