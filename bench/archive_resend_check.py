"""How long check_chain (links, once per hole) and resend_rows (content, per batch) hold the loop thread."""
import sqlite3, sys, time, tempfile, json
from pathlib import Path
sys.path.insert(0, ".")
from branch.archive import ARCHIVE_SCHEMA, COLUMNS, check_chain, resend_rows, Checkpoint
import branch.archive as A
from branch.store import GENESIS, chain_hash, canonical
N = int(sys.argv[1])
d = Path(tempfile.mkdtemp())
conn = sqlite3.connect(d / "events-archive.sqlite3"); conn.execute(ARCHIVE_SCHEMA)
prev = GENESIS; rows = []
actor = canonical({"agent": None, "device": "dev-kiosk", "role": "kiosk"})
for seq in range(1, N + 1):
    data = canonical({"ticket": f"t{seq}", "service": "accounts", "number": f"A{seq:03d}", "lang": "fr"})
    h = chain_hash(prev, seq, f"id-{seq}", "TicketIssued", 1700000000000 + seq, actor, data)
    rows.append((seq, f"id-{seq}", "TicketIssued", "2023-11-14T22:13:20.%03dZ" % (seq % 1000), 1700000000000 + seq, actor, data, prev, h)); prev = h
conn.executemany(f"INSERT INTO events ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)", rows); conn.commit(); conn.close()
class S: path = d / "events.sqlite3"
A.checkpoint = lambda store: Checkpoint(N, prev, rows[0][8])
t = time.perf_counter(); check_chain(S, 0); t1 = time.perf_counter() - t
t = time.perf_counter()
try:
    resend_rows(S, 0, N, 200)
except Exception as e: print("resend:", e)
t2 = time.perf_counter() - t
t = time.perf_counter(); c = sqlite3.connect(d / "events-archive.sqlite3"); c.execute("SELECT seq, id, type, at, actor, data, prev_hash, hash FROM events WHERE seq > 0 AND seq <= ? ORDER BY seq LIMIT 200", (N,)).fetchall(); c.close(); t3 = time.perf_counter() - t
print(f"N={N}: check_chain {t1*1000:.0f} ms; resend_rows(200) {t2*1000:.1f} ms vs bare read of the same 200 rows {t3*1000:.1f} ms")
