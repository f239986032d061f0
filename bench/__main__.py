"""`python -m bench [NAME ...]`: run every bench of the repo (bench/bench_*.py) in sequence, then a markdown summary.

Each bench runs as its own process (`python -m bench.bench_NAME`) with its output shown live. Benches that print a
`BENCH-SUMMARY` line (bench._common.summary) give their figure, baseline and target exactly; for the others the
summary takes their "pipeline" / "baseline|bare" / "target" lines and their exit status. Exit status 1 when a bench
misses its target or fails.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time

from bench._common import PYTHON, ROOT, SUMMARY_PREFIX, machine

FIRST = ["api", "store", "fanout", "rss"]  # the node's benches, then the others in name order
TIMEOUT_S = 600
LONG = {"fleet": 2400}  # 200 branches, an hour's backlog each: ~15 min on this machine


def discover() -> list[str]:
    names = sorted(p.stem.removeprefix("bench_") for p in (ROOT / "bench").glob("bench_*.py"))
    return [n for n in FIRST if n in names] + [n for n in names if n not in FIRST]


def run_one(name: str) -> dict:
    started = time.monotonic()
    lines: list[str] = []
    proc = subprocess.Popen([PYTHON, "-m", f"bench.bench_{name}"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if not line.startswith(SUMMARY_PREFIX):
                print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
            if time.monotonic() - started > LONG.get(name, TIMEOUT_S):
                raise subprocess.TimeoutExpired(proc.args, LONG.get(name, TIMEOUT_S))
        rc = proc.wait(LONG.get(name, TIMEOUT_S))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        rc = -9
    finally:
        proc.stdout.close()
    elapsed = time.monotonic() - started
    for line in reversed(lines):
        if line.startswith(SUMMARY_PREFIX):
            row = json.loads(line[len(SUMMARY_PREFIX):])
            row["result"] = "PASS" if row["pass"] and rc == 0 else "FAIL"
            break
    else:
        def first(pattern: str) -> str:
            found = next((x.strip() for x in lines if re.search(pattern, x, re.IGNORECASE)), "")
            return re.sub(r"\s+", " ", found) or "see its output"

        row = {"bench": name, "figure": first(r"^\s*(camera )?pipeline"), "baseline": first(r"^\s*(baseline|bare)"),
               "target": first(r"target"), "result": "PASS" if rc == 0 else ("TIMEOUT" if rc == -9 else "FAIL")}
    row["seconds"] = round(elapsed, 1)
    row["rc"] = rc
    return row


def markdown(rows: list[dict]) -> str:
    out = [f"## Benchmark summary ({machine()})", "",
           "| bench | figure | baseline (same run) | target | result | time |", "|---|---|---|---|---|---|"]
    for r in rows:
        cells = [r["bench"], r["figure"], r["baseline"], r["target"], f"**{r['result']}**", f"{r['seconds']:.0f} s"]
        out.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    available = discover()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"benches to run (default all: {' '.join(available)})")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in available]
    if unknown:
        parser.error(f"unknown bench {', '.join(unknown)}; have {', '.join(available)}")
    rows = []
    for name in args.names or available:
        print(f"\n===== bench_{name} =====", flush=True)
        rows.append(run_one(name))
    print()
    print(markdown(rows))
    return 0 if all(r["result"] == "PASS" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
