"""`smartqueue demo`: a whole branch on one machine, on simulated data.

Today: a branch node with the example configuration, device tokens ready, and the curl commands to drive it.
`--scenario` plays a short scripted day (a customer takes a ticket, an agent calls and serves it) and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import uuid
from pathlib import Path

from smartqueue.signals import wait_for_stop_signal

EXAMPLES = Path(__file__).resolve().parent.parent / "config" / "examples"


def add_demo_command(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="run a demo branch on simulated data")
    demo.add_argument("--dir", default="var/demo", help="where the demo keeps its data and outputs")
    demo.add_argument("--port", type=int, default=8470)
    demo.add_argument("--fresh", action="store_true", help="start from an empty queue")
    demo.add_argument("--scenario", action="store_true", help="play a scripted scenario and exit")
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from branch.handlers import register_device
    from branch.node import BranchNode
    from config.loader import load_config
    from smartqueue.logs import setup_logging

    setup_logging("WARNING")
    root = Path(args.dir).resolve()
    if args.fresh and root.exists():
        shutil.rmtree(root)
    config = load_config(EXAMPLES / "node.toml")

    async def main() -> int:
        node = BranchNode(config, root / "node")
        tokens = {}
        for role, counter in (("kiosk", None), ("display", None), ("keypad", "1"), ("admin", None)):
            _, tokens[role] = register_device(node.store, role, counter, f"demo {role}", f"demo-{role}")
        port = await node.start("127.0.0.1", args.port, advertise=False)
        base = f"http://127.0.0.1:{port}"
        env = root / "tokens.env"
        env.write_text("".join(f"{role.upper()}_TOKEN={token}\n" for role, token in tokens.items())
                       + f"NODE={base}\n")
        if args.scenario:
            summary = await asyncio.to_thread(_scenario, base, tokens)
            (root / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
            print(json.dumps(summary, indent=2, ensure_ascii=False))
            print(f"demo outputs in {root}")
            await node.stop()
            return 0
        print(_instructions(base, env))
        await wait_for_stop_signal()
        await node.stop()
        print("demo stopped")
        return 0

    return asyncio.run(main())


def _scenario(base: str, tokens: dict[str, str]) -> dict:
    import requests

    def post(path: str, token: str, body: dict | None = None, key: bool = False) -> dict:
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        response = requests.post(base + path, json=body or {}, headers=headers, timeout=5)
        response.raise_for_status()
        return response.json()

    ticket = post("/api/v1/tickets", tokens["kiosk"], {"service": "accounts", "language": "fr"}, key=True)
    session = post("/api/v1/agents/login", tokens["keypad"], {"agent": "alice", "pin": "1234"})["session"]
    called = post("/api/v1/counters/1/call-next", session)
    post("/api/v1/counters/1/start", session)
    post("/api/v1/counters/1/finish", session, {"outcome": "done"})
    state = requests.get(base + "/api/v1/state", headers={"Authorization": f"Bearer {tokens['display']}"},
                         timeout=5).json()
    return {"ticket": ticket["number"], "called_at_counter": called["counter"]["id"],
            "recent_calls": [c["number"] for c in state["recent_calls"]], "event_seq": state["seq"]}


def _instructions(base: str, env: Path) -> str:
    return f"""
SmartQueue demo branch node on {base}   (Ctrl-C to stop)
Tokens are in {env}. In another shell:

  source {env}
  curl -s $NODE/api/v1/services -H "Authorization: Bearer $KIOSK_TOKEN"
  curl -s -X POST $NODE/api/v1/tickets -H "Authorization: Bearer $KIOSK_TOKEN" \\
       -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" -H "Content-Type: application/json" \\
       -d '{{"service": "accounts", "language": "fr"}}'
  SESSION=$(curl -s -X POST $NODE/api/v1/agents/login -H "Authorization: Bearer $KEYPAD_TOKEN" \\
       -d '{{"agent": "alice", "pin": "1234"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["session"])')
  curl -s -X POST $NODE/api/v1/counters/1/call-next -H "Authorization: Bearer $SESSION"
  curl -sN $NODE/api/v1/events -H "Authorization: Bearer $DISPLAY_TOKEN"      # live events (SSE)
  curl -s $NODE/api/v1/state -H "Authorization: Bearer $DISPLAY_TOKEN"
"""


