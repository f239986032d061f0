"""How long the checks of a resend from the archive hold the node's event loop (review 16c): `check_chain` (the
links from central's watermark to the checkpoint, once per hole or per archive file put back) and `resend_rows`
(each event's content against its hash, per batch), beside a bare read of the same batch.

Run: `.venv/bin/python -m bench.bench_archive_resend [events]` (default 100,000 archived events).
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import branch.archive as archive
from branch.archive import ARCHIVE_SCHEMA, COLUMNS, Checkpoint, check_chain, resend_rows
from branch.store import GENESIS, canonical, chain_hash

BATCH = 200
AT_MS = 1_700_000_000_000  # 2023-11-14T22:13:20.000Z


@dataclass
class _Store:
    path: Path  # the archive file sits beside it


def _archive(path: Path, events: int) -> Checkpoint:
    actor = canonical({"agent": None, "device": "dev-kiosk", "role": "kiosk"})
    prev, rows = GENESIS, []
    for seq in range(1, events + 1):
        data = canonical({"ticket": f"t{seq}", "service": "accounts", "number": f"A{seq:03d}", "lang": "fr"})
        at_ms = AT_MS + seq
        digest = chain_hash(prev, seq, f"id-{seq}", "TicketIssued", at_ms, actor, data)
        at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at_ms // 1000)) + f".{at_ms % 1000:03d}Z"
        rows.append((seq, f"id-{seq}", "TicketIssued", at, at_ms, actor, data, prev, digest))
        prev = digest
    conn = sqlite3.connect(path)
    conn.execute(ARCHIVE_SCHEMA)
    conn.executemany(f"INSERT INTO events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return Checkpoint(events, prev, rows[0][8])


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = Path(tempfile.mkdtemp())
    made = _archive(folder / archive.ARCHIVE_FILE, events)
    archive.checkpoint = lambda store: made  # the live database's checkpoint row, without a live database
    store = _Store(folder / "events.sqlite3")
    start = time.perf_counter()
    check_chain(store, 0)
    chain_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    resend_rows(store, 0, events, BATCH)
    rows_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    conn = sqlite3.connect(f"file:{folder / archive.ARCHIVE_FILE}?mode=ro", uri=True)
    conn.execute("SELECT seq, id, type, at, actor, data, prev_hash, hash FROM events WHERE seq > 0 AND seq <= ?"
                 " ORDER BY seq LIMIT ?", (events, BATCH)).fetchall()
    conn.close()
    bare_ms = (time.perf_counter() - start) * 1000
    print(f"{events} archived events: check_chain {chain_ms:.0f} ms (once per hole); resend_rows of {BATCH} "
          f"{rows_ms:.1f} ms vs bare read of the same rows {bare_ms:.1f} ms")


if __name__ == "__main__":
    main()
