#!/usr/bin/env python3
"""Hostile payloads to a running branch node on the topics central writes (events/ack, config, commands), with
Mosquitto's own clients. For config and commands the contract promises an answer to a bad message (config/ack
`rejected`, command `rejected`); prints what came back for each case, or SILENT.

    hostile_branch.py --port 1883 [--org acme-bank] [--branch BR042]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time

DEEP = b'{"schema":1,"x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def pub(port: int, topic: str, payload: bytes, retain: bool = False, props: list[str] | None = None) -> None:
    args = ["mosquitto_pub", "-V", "mqttv5", "-p", str(port), "-q", "1", "-t", topic, "-s", *(props or [])]
    if retain:
        args.append("-r")
    subprocess.run(args, input=payload, check=True, timeout=10)


def answered(port: int, topic: str, payload: bytes, answer_topic: str, retain: bool = False, wait: float = 3,
             props: list[str] | None = None) -> list[dict]:
    topics = [arg for t in answer_topic.split() for arg in ("-t", t)]
    sub = subprocess.Popen(["mosquitto_sub", "-V", "mqttv5", "-p", str(port), *topics, "-R", "-W",
                            str(int(wait))], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(0.3)
    pub(port, topic, payload, retain, props)
    out, _ = sub.communicate(timeout=wait + 5)
    found = []
    for line in out.splitlines():
        with contextlib.suppress(ValueError, RecursionError):
            found.append(json.loads(line))
    return [f for f in found if isinstance(f, dict)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--org", default="acme-bank")
    parser.add_argument("--branch", default="BR042")
    args = parser.parse_args()
    p = f"smartqueue/v1/{args.org}/{args.branch}/"
    silent = 0

    config_cases = {
        "config deep-nesting": DEEP,
        "config not-json": b"\xff\x00",
        "config NaN version": b'{"schema":1,"version":NaN,"issued_at":"2026-11-24T07:00:00.000Z","sections":{}}',
        "config lone surrogate": b'{"schema":1,"version":99,"issued_at":"x","sections":{"rules":{"\\ud800":1}}}',
    }
    for name, payload in config_cases.items():
        got = answered(args.port, p + "config", payload, p + "config/ack", retain=True)
        verdict = f"{got[-1].get('status')}: {(got[-1].get('errors') or [''])[0][:80]}" if got else "SILENT"
        silent += not got
        print(f"{name:28s} {verdict}", flush=True)
    subprocess.run(["mosquitto_pub", "-V", "mqttv5", "-p", str(args.port), "-q", "1", "-t", p + "config", "-r", "-n"],
                   check=True, timeout=10)  # clear the retained config

    command_cases = {
        "command deep-nesting": DEEP,
        "command not-json": b"\xff\x00",
        "command lone surrogate": b'{"schema":1,"id":"c-\\ud800","command":"publish_metrics",'
                                  b'"issued_at":"2026-11-24T07:00:00.000Z","args":{}}',
        "command unknown": b'{"schema":1,"id":"c-unknown-1","command":"format_disk",'
                           b'"issued_at":"2026-11-24T07:00:00.000Z","args":{}}',
    }
    for name, payload in command_cases.items():
        got = answered(args.port, p + "commands", payload, p + "commands/response " + p + "commands/ack", props=[
            "-D", "publish", "response-topic", p + "commands/response", "-D", "publish", "correlation-data", "x"])
        verdict = f"{got[-1].get('status')}: {str(got[-1].get('errors') or got[-1].get('error') or '')[:80]}" \
            if got else "SILENT"
        silent += not got
        print(f"{name:28s} {verdict}", flush=True)

    for name, payload in {"ack deep-nesting": DEEP, "ack not-json": b"\xff", "ack NaN": b'{"schema":1,"watermark":NaN}',
                          "ack watermark 2^63": json.dumps({"schema": 1, "log": None, "epoch": "c-x",
                                                            "watermark": 2**63, "reason": "stored", "stored_max": 2**63,
                                                            "at": "2026-11-24T08:31:02.140Z"}).encode()}.items():
        pub(args.port, p + "events/ack", payload)
        print(f"{name:28s} sent (the branch must stay up and keep syncing)", flush=True)
    print(f"{silent} case(s) left without an answer")
    sys.exit(1 if silent else 0)


if __name__ == "__main__":
    main()
