"""`smartqueue node ...`: run the node, issue device tokens and pairing codes, hash PINs, verify the log."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

from config.loader import ConfigError, load_config
from ground.sdnotify import Notifier
from ground.signals import wait_for_stop_signal


def add_node_commands(sub: argparse._SubParsersAction) -> None:
    node = sub.add_parser("node", help="run or manage the branch node")
    node.add_argument("--config", help="configuration file (TOML)")
    node.add_argument("--data-dir", help="overrides [node] data_dir")
    node.add_argument("--host", help="overrides [node] host")
    node.add_argument("--port", type=int, help="overrides [node] port")
    node.add_argument("--no-advertise", action="store_true", help="do not advertise with zeroconf")
    node.set_defaults(handler=run_node)
    actions = node.add_subparsers(dest="node_action")

    token = actions.add_parser("token", help="issue a device token (printed alone on stdout)")
    token.add_argument("--config", required=True)
    token.add_argument("--data-dir")
    token.add_argument("--role", required=True, choices=["kiosk", "display", "keypad", "admin", "metrics"])
    token.add_argument("--counter", help="the keypad's counter")
    token.add_argument("--name", help="a human name for the device")
    token.add_argument("--device-id", help="re-key an existing device id")
    token.set_defaults(handler=issue_token)

    code = actions.add_parser("pair-code", help="create a one-time pairing code for a device")
    code.add_argument("--config", required=True)
    code.add_argument("--data-dir")
    code.add_argument("--role", required=True, choices=["kiosk", "display", "keypad", "admin", "metrics"])
    code.add_argument("--counter")
    code.add_argument("--name")
    code.set_defaults(handler=pairing_code)

    revoke = actions.add_parser("revoke", help="revoke a device's token")
    revoke.add_argument("--config", required=True)
    revoke.add_argument("--data-dir")
    revoke.add_argument("device_id")
    revoke.set_defaults(handler=revoke_device)

    pin = actions.add_parser("hash-pin", help="hash an agent PIN for the configuration (reads the PIN)")
    pin.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    pin.set_defaults(handler=hash_pin_command)

    verify = actions.add_parser("verify", help="check the event log's hash chain")
    verify.add_argument("--config")
    verify.add_argument("--data-dir")
    verify.set_defaults(handler=verify_command)

    from branch.cluster.cli import add_cluster_commands  # [cluster, issue 8] cluster status/add/remove, force-single

    add_cluster_commands(actions)


def _config(args: argparse.Namespace):
    try:
        return load_config(args.config)
    except ConfigError as err:
        print(f"configuration error:\n{err}", file=sys.stderr)
        raise SystemExit(2) from None


def _data_dir(args: argparse.Namespace, config) -> Path:
    return Path(args.data_dir or config.node.data_dir)


def run_node(args: argparse.Namespace) -> int:
    if not args.config:
        print("smartqueue node: --config FILE is required", file=sys.stderr)
        return 2
    from branch.server import NodeServer
    from ground.logs import setup_logging

    setup_logging()
    config = _config(args)
    data_dir = _data_dir(args, config)
    refused = _refuse_damaged_member(config, data_dir)  # before the API answers anything
    if refused is not None:
        return refused
    _raise_open_files_limit()
    import faulthandler
    import signal

    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 PID`: every thread's stack on stderr

    async def main() -> None:
        node = build_node(config, data_dir)
        server = NodeServer(node)
        host = args.host or config.node.host
        port = await server.start(host, args.port if args.port is not None else config.node.port,
                                  advertise=False if args.no_advertise else None)
        print(f"SmartQueue node {node.node_id} of branch {node.setup.branch_id} on {server.scheme}://{host}:{port}",
              flush=True)
        notifier = Notifier()
        notifier.ready(f"serving on {server.scheme}://{host}:{port}")
        watchdog = asyncio.create_task(_watchdog(node, notifier), name="sq-watchdog")
        await wait_for_stop_signal()
        notifier.stopping()
        watchdog.cancel()
        await server.stop()

    try:
        asyncio.run(main())
    except RuntimeError as err:  # the same refusals, found by the Raft start itself
        refused = _refusal(err)
        if refused is None:
            raise
        return refused
    return 0


def _refuse_damaged_member(config, data_dir: Path) -> int | None:
    """A cluster member whose Raft files are damaged, or whose database is past its journal, stops here with one
    clear message and its own exit code (see branch/cluster/preflight.py), never with a traceback."""
    from config.cluster import cluster_of

    if cluster_of(config) is None:
        return None
    from branch.cluster.preflight import check_member_files

    try:
        check_member_files(data_dir)
    except RuntimeError as err:
        refused = _refusal(err)
        if refused is None:
            raise
        return refused
    return None


def _refusal(err: RuntimeError) -> int | None:
    import logging

    from branch.cluster.journal import JournalDamaged
    from branch.cluster.runtime import Diverged

    if not isinstance(err, JournalDamaged | Diverged):
        return None
    from branch.cluster.preflight import refusal

    code, message = refusal(err)
    logging.getLogger("smartqueue.node").critical("%s", message)
    print(f"\nsmartqueue node: {message}", file=sys.stderr, flush=True)
    return code


async def _watchdog(node, notifier) -> None:
    """WATCHDOG=1 at half systemd's WatchdogSec, only while the event loop runs *and* the writer thread answers:
    a node stuck on either stops pinging and systemd restarts it (the unit's Restart=on-failure)."""
    if notifier.interval_s is None:
        return
    while True:
        await asyncio.sleep(notifier.interval_s)
        try:
            await asyncio.wait_for(node.write(lambda: None), notifier.interval_s)
        except TimeoutError:
            continue  # the writer is stuck (a hung disk): no ping
        notifier.ping()


def _raise_open_files_limit() -> None:
    """Use every descriptor the system allows (systemd's LimitNOFILE): the soft limit (often 1,024) would take
    the node off the air at about a thousand connections."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


def build_node(config, data_dir: Path):
    """The node as this configuration wants it: its command runner (single or replicated) and its services.
    The composition root: `branch` itself never imports the cluster's runner choice or the sync service."""
    from branch.node import BranchNode
    from branch.services import LeaderOnly
    from config.cluster import cluster_of

    cluster = cluster_of(config)
    if cluster is None:
        node = BranchNode(config, data_dir)
    else:
        from branch.cluster.runtime import ReplicatedRunner, session_key

        node = BranchNode(config, data_dir, session_secret=session_key(cluster),
                          tls_seed=cluster.secret.get_secret_value().encode(),
                          runner=lambda context: ReplicatedRunner(context, cluster))
    sync = config.sync
    if sync is not None and sync.enabled:
        from sync.service import SyncService

        service = SyncService(node, sync)
        node.services.append(LeaderOnly(node.add_leadership_listener, service))
        node.health_parts["sync"] = lambda: _sync_health(node, service)
    return node


def _sync_health(node, service) -> dict:
    """The link's state for `GET /health` (doctor reads it): connected, disconnected, or standby on a follower
    (the leader syncs)."""
    link = service.health()
    state = "connected" if link["connected"] else "disconnected" if node.is_leader else "standby"
    return {"state": state, "lag_events": link["lag_events"], "halted": link["halted"],
            "archive_problem": link["archive_problem"]}


def _store(args: argparse.Namespace):
    from branch.store import Store

    config = _config(args)
    return Store(_data_dir(args, config) / "branch.sqlite3"), config


def issue_token(args: argparse.Namespace) -> int:
    from branch.devices import register_device

    store, config = _store(args)
    try:
        if args.role == "keypad" and args.counter is None:
            print("a keypad token needs --counter", file=sys.stderr)
            return 2
        if args.counter is not None and args.counter not in {c.id for c in config.counters}:
            print(f"unknown counter {args.counter!r}", file=sys.stderr)
            return 2
        device_id, token = register_device(store, args.role, args.counter, args.name or args.role, args.device_id)
        print(f"device {device_id} ({args.role}) registered", file=sys.stderr)
        print(token)
    finally:
        store.close()
    return 0


def pairing_code(args: argparse.Namespace) -> int:
    from branch.devices import create_pairing

    store, config = _store(args)
    try:
        if args.role == "keypad" and args.counter is None:
            print("a keypad's pairing code needs --counter (a keypad acts for its counter)", file=sys.stderr)
            return 2
        if args.counter is not None and args.counter not in {c.id for c in config.counters}:
            print(f"unknown counter {args.counter!r}", file=sys.stderr)
            return 2
        code, _ = create_pairing(store, config.node.pairing_code_minutes, args.role, args.counter, args.name)
        print(f"valid {config.node.pairing_code_minutes} minutes, once", file=sys.stderr)
        print(code)
    finally:
        store.close()
    return 0


def revoke_device(args: argparse.Namespace) -> int:
    from branch.devices import revoke

    store, _ = _store(args)
    try:
        changed = revoke(store, args.device_id)
    finally:
        store.close()
    if not changed:
        print(f"no active device {args.device_id!r}", file=sys.stderr)
        return 1
    print(f"device {args.device_id} revoked", file=sys.stderr)
    return 0


def hash_pin_command(args: argparse.Namespace) -> int:
    from branch.security import hash_pin

    pin = sys.stdin.readline().strip() if args.stdin else getpass.getpass("PIN: ")
    try:
        print(hash_pin(pin))
    except ValueError as err:
        print(str(err), file=sys.stderr)
        return 2
    return 0


def verify_command(args: argparse.Namespace) -> int:
    from branch.archive import verify_archive
    from branch.store import verify_chain

    if args.data_dir:
        data_dir = Path(args.data_dir)
    elif args.config:
        data_dir = _data_dir(args, _config(args))
    else:
        print("give --config or --data-dir", file=sys.stderr)
        return 2
    path = data_dir / "branch.sqlite3"
    if not path.exists():
        print(f"no database at {path}", file=sys.stderr)
        return 2
    report = verify_archive(path, verify_chain(path))
    if report.ok:
        print(f"ok: {report.events} events, hash chain intact" + (f"; {report.note}" if report.note else ""))
        return 0
    print(f"BROKEN after {report.events} good events: {report.problem}")
    return 1
