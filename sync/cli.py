"""`smartqueue central ...`: run the reference central receiver, show branches and devices, push config/commands."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import uuid
from pathlib import Path


def add_central_commands(sub: argparse._SubParsersAction) -> None:
    central = sub.add_parser("central", help="the reference central receiver (MQTT)")
    central.add_argument("--config", help="central configuration file (TOML, a [central] section)")
    central.set_defaults(handler=run_central)
    actions = central.add_subparsers(dest="central_action")

    status = actions.add_parser("status", help="branches, nodes and devices with health and sync lag")
    status.add_argument("--config", required=True)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=status_command)

    epoch = actions.add_parser("new-epoch", help="after restoring central's database from a backup: branches resend "
                                                 "what it lacks")
    epoch.add_argument("--config", required=True)
    epoch.set_defaults(handler=new_epoch_command)

    link = actions.add_parser("link-key", help="the phone link key to put in a branch's [branch] phone_link_key")
    link.add_argument("--config", required=True)
    link.add_argument("--organisation", required=True)
    link.add_argument("--branch", required=True)
    link.set_defaults(handler=link_key_command)

    push = actions.add_parser("push-config", help="publish a config override (retained) to one branch")
    push.add_argument("--config", required=True)
    push.add_argument("--organisation", required=True)
    push.add_argument("--branch", required=True)
    push.add_argument("--version", type=int, required=True)
    push.add_argument("sections", help="JSON file: {\"services\": [...], \"counters\": [...], ...}")
    push.set_defaults(handler=push_config_command)

    command = actions.add_parser("command", help="send a command to one branch")
    command.add_argument("--config", required=True)
    command.add_argument("--organisation", required=True)
    command.add_argument("--branch", required=True)
    command.add_argument("name", choices=["close_day", "display_message", "reload_device", "publish_metrics"])
    command.add_argument("--args", default="{}", help="JSON object of arguments")
    command.set_defaults(handler=command_command)


def _config(path: str | None):
    from config.central import load_central_config
    from config.loader import ConfigError

    if not path:
        print("smartqueue central: --config FILE is required", file=sys.stderr)
        raise SystemExit(2)
    try:
        return load_central_config(path)
    except ConfigError as err:
        print(f"configuration error:\n{err}", file=sys.stderr)
        raise SystemExit(2) from None


def run_central(args: argparse.Namespace) -> int:
    from ground.logs import setup_logging
    from sync.central import CentralReceiver

    setup_logging()
    receiver = CentralReceiver(_config(args.config))
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    receiver.start()
    where = "PostgreSQL" if receiver.config.database_url is not None else receiver.config.db_path
    print(f"SmartQueue central receiver {receiver.config.client_id} on {receiver.config.host}:"
          f"{receiver.config.port}, database {where}", flush=True)
    stop.wait()
    receiver.stop()
    return 0


def status_command(args: argparse.Namespace) -> int:
    from sync.central_store import read_status

    config = _config(args.config)
    if config.database_url is None and not Path(config.db_path).exists():
        print(f"no database at {config.db_path}", file=sys.stderr)
        return 2
    report = read_status(config)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(f"{'BRANCH':<24} {'STATE':<8} {'NODE':<18} {'SEQ':>8} {'STORED':>8} {'LAG':>6} {'LAG S':>7}  NOTE")
    for row in report["branches"]:
        note = row["chain_error"] or (f"{row['duplicates']} dup" if row["duplicates"] else "")
        print(f"{row['organisation'] + '/' + row['branch']:<24} {row['state']:<8} {row['node'] or '-':<18} "
              f"{_num(row['branch_seq']):>8} {row['watermark']:>8} {_num(row['lag_events']):>6} "
              f"{_num(row['lag_s']):>7}  {note}")
    if report["devices"]:
        print(f"\n{'DEVICE':<36} {'ROLE':<8} {'STATE':<8} {'REPORT':<9} COMPONENTS")
        for device in report["devices"]:
            report_body = device.get("report") or {}
            components = ", ".join(f"{name}={value}"
                                   for name, value in (report_body.get("components") or {}).items())
            print(f"{device['branch'] + '/' + device['device']:<36} {device['role']:<8} {device['state']:<8} "
                  f"{report_body.get('state', '-'):<9} {components}")
    return 0


def new_epoch_command(args: argparse.Namespace) -> int:
    from sync.central_store import open_store

    store = open_store(_config(args.config))
    try:
        print(store.renew_epoch())
    finally:
        store.close()
    return 0


def link_key_command(args: argparse.Namespace) -> int:
    from ground.phone_link import branch_key

    config = _config(args.config)
    if config.phone_link_key is None:
        print("smartqueue central: [central] phone_link_key is not set", file=sys.stderr)
        return 2
    print(branch_key(config.phone_link_key.get_secret_value().encode(), args.organisation, args.branch).hex())
    return 0


def _num(value) -> str:
    return "-" if value is None else str(value)


def _one_shot(config, topic: str, payload: bytes, *, retain: bool, response: str | None = None,
              correlation: bytes | None = None) -> bool:
    """Publish one message with a throw-away client id (never the running receiver's: that would take its session)."""
    from sync.link import LinkSettings, MqttLink

    done = threading.Event()
    result: dict[str, int] = {}

    class Handler:
        def link_connected(self, session_present: bool) -> None:
            result["mid"] = link.publish(topic, payload, retain=retain, response_topic=response,
                                         correlation_data=correlation) or -1

        def link_disconnected(self, reason: str) -> None:
            pass

        def link_message(self, message) -> None:
            pass

        def link_published(self, mid: int, reason_code: int, reason: str) -> None:
            if mid == result.get("mid"):
                result["code"] = reason_code
                done.set()

    cli_config = config.model_copy(update={"session_expiry_s": 60})
    settings = LinkSettings.from_config(cli_config, f"sq-cli-{uuid.uuid4().hex[:12]}", 10)
    link = MqttLink(settings, Handler(), lambda action: action())
    link.start()
    ok = done.wait(15)
    link.stop()
    code = result.get("code", -1)
    if not ok or code >= 0x80:
        print(f"not published (reason {code:#x})" if ok else "broker not reachable", file=sys.stderr)
        return False
    return True


def push_config_command(args: argparse.Namespace) -> int:
    from config.sync import TopicTemplate
    from sync.messages import SCHEMA_VERSION, encode, utc_now_iso

    config = _config(args.config)
    sections = json.loads(Path(args.sections).read_text(encoding="utf-8"))
    payload = encode({"schema": SCHEMA_VERSION, "version": args.version, "issued_at": utc_now_iso(),
                      "sections": sections})
    topic = TopicTemplate(config.topic_prefix).format(args.organisation, args.branch) + "config"
    return 0 if _one_shot(config, topic, payload, retain=True) else 1


def command_command(args: argparse.Namespace) -> int:
    from config.sync import TopicTemplate
    from sync.messages import SCHEMA_VERSION, encode, utc_now_iso

    config = _config(args.config)
    command_id = uuid.uuid4().hex
    payload = encode({"schema": SCHEMA_VERSION, "id": command_id, "command": args.name, "issued_at": utc_now_iso(),
                      "args": json.loads(args.args)})
    base = TopicTemplate(config.topic_prefix).format(args.organisation, args.branch)
    if not _one_shot(config, base + "commands", payload, retain=False, response=base + "commands/response",
                     correlation=command_id.encode()):
        return 1
    print(command_id)
    return 0
