"""Before a cluster member answers anything: are its Raft files whole, and does its journal reach its database?

Run by the node command before the HTTP server starts (a member that must not serve never answers, not even
`/health` with "follower, term 0"). A refusal is one CRITICAL log line and a message on stderr naming the file, what
is wrong and the procedure, and a distinct exit code the systemd unit does not restart on
(`RestartPreventExitStatus`): restarting cannot repair a disk that lost confirmed writes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from branch.cluster.journal import DurableJournal, JournalDamaged
from branch.cluster.replica import convert_old_journal, finish_interrupted_compaction, has_raft_state, journal_end
from branch.cluster.runtime import EXIT_DIVERGED, Diverged

EXIT_DAMAGED = 5  # a Raft file of this member is damaged (journal, its meta): see PROCEDURE
PROCEDURE = ('branch/cluster/README.md, "A member refuses to start": move its data dir away (keep it for '
             "support) and start it with an empty one and the same configuration: it receives a full dump from the "
             "leader. On the last machine standing, run force-single on it instead")


def check_member_files(data_dir: Path) -> None:
    """Raise JournalDamaged or Diverged when this member must not vote or serve. Finishes what a crash cut short
    (a journal conversion, a compaction) and cuts a crash-torn tail, as the Raft start would."""
    raft = data_dir / "raft"
    if not raft.is_dir():
        return
    convert_old_journal(raft)
    finish_interrupted_compaction(raft)
    if (raft / "log").exists():
        DurableJournal(raft / "log")._destroy()  # validates header, meta and watermark
    if not has_raft_state(data_dir):
        return
    applied, end = applied_index(data_dir / "branch.sqlite3"), journal_end(data_dir)
    if applied > end:
        raise Diverged(f"the database has applied Raft index {applied} but this member's journal ends at {end}: its "
                       "disk lost writes it had confirmed. It will not vote or serve")


def applied_index(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        row = conn.execute("SELECT applied_index FROM cluster_state WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # a database from before the cluster's tables
        return 0
    finally:
        conn.close()
    return int(row[0]) if row else 0


def refusal(err: JournalDamaged | Diverged) -> tuple[int, str]:
    """The exit code and the one-line explanation (log and stderr) of a member that refuses to start."""
    if isinstance(err, JournalDamaged):
        what = f"this member's Raft file {err.path} is damaged: {err.problem}"
        code = EXIT_DAMAGED
    else:
        what = f"this member's database is ahead of its Raft journal: {err}"
        code = EXIT_DIVERGED
    return code, f"{what}. It will not vote or serve (exit {code}). Procedure: {PROCEDURE}."
