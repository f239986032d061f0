"""Review of issue 16 (round 2): the archive file's commit must be durable *before* the live rows go.

The archive file uses a rollback journal: SQLite commits it by unlinking `-journal`. Under `synchronous=FULL` that
unlink is not followed by an fsync of the directory (SQLite's docs: only EXTRA does it), so a power cut right
after it can bring the journal back; SQLite then rolls the archived rows back as a hot journal — while the live
database (WAL, already committed) has deleted them: the events are gone from both files. Seen with strace on the
real SQLite (lazyfs passes namespace operations through at once, so the power-cut harness cannot show it)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent("""
    import sys
    from pathlib import Path
    from branch.archive import copy_to_archive
    from branch.store import Store

    data = Path(sys.argv[1])
    store = Store(data / "branch.sqlite3")
    for seq in (1, 2, 3):  # the archive reads rows as stored: any content will do
        store.execute_write("INSERT INTO events (seq, id, type, at, at_ms, actor, data, prev_hash, hash)"
                            " VALUES (?, ?, 'X', '', 0, '{}', '{}', ?, ?)", (seq, f"e{seq}", f"h{seq - 1}", f"h{seq}"))
    copy_to_archive(store, 2)  # creates the archive file
    print("MARK-SECOND-STEP", flush=True)
    open(data / "MARK", "w").close()
    copy_to_archive(store, 3)
    open(data / "DONE", "w").close()  # what the step itself did ends here (a store's close syncs on its own)
""")


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace (scripts/install-system-deps.sh) missing")
def test_the_archive_commit_fsyncs_the_directory_after_its_journal_is_unlinked(tmp_path):
    trace = subprocess.run(["strace", "-f", "-e", "trace=openat,unlink,unlinkat,fsync,fdatasync", sys.executable,
                            "-c", PROBE, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert "MARK-SECOND-STEP" in trace.stdout, trace.stdout + trace.stderr[-3000:]
    calls = trace.stderr[trace.stderr.index('"MARK"') if '"MARK"' in trace.stderr else 0:].splitlines()
    unlinks = [i for i, line in enumerate(calls) if re.search(r'unlink(at)?\(.*events-archive\.sqlite3-journal', line)]
    assert unlinks, "\n".join(calls)
    done = next(i for i, line in enumerate(calls) if '/DONE"' in line)
    after = "\n".join(calls[unlinks[-1]:done])
    opened_dir = re.search(rf'openat\(AT_FDCWD, "{re.escape(str(tmp_path))}", O_RDONLY[^)]*\) = (\d+)', after)
    assert opened_dir and re.search(rf"f(data)?sync\({opened_dir.group(1)}\)", after), \
        "the archive's journal was unlinked (its commit) without a directory fsync:\n" + after
