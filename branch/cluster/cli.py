"""`smartqueue node cluster status|add|remove` and `smartqueue node force-single`.

Membership changes go through the running cluster (pysyncobj's admin messages, encrypted with the cluster secret),
one at a time, without stopping the branch. `force-single` rewrites a stopped node's Raft state so it runs alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FORCE_SINGLE_WARNING = """\
force-single makes this node a cluster of one, keeping its database. Do it ONLY when the branch's other members
are gone for good (dead disks, machines taken away). If another member still runs with the old membership, the
branch may then run TWO queues that hand out the same numbers and can never be merged. Afterwards, wipe the data
dir of any old member before it comes back, and add members again with `smartqueue node cluster add`."""


def _where(parser: argparse.ArgumentParser, inner: bool) -> None:
    """--config/--data-dir, accepted before the action (`cluster --config X status`) and after it (`cluster status
    --config X`): the inner copies default to SUPPRESS so they never overwrite the outer ones."""
    default = argparse.SUPPRESS if inner else None
    parser.add_argument("--config", default=default, required=False)
    parser.add_argument("--data-dir", default=default)


def add_cluster_commands(actions: argparse._SubParsersAction) -> None:
    cluster = actions.add_parser("cluster", help="the branch's Raft cluster: status and membership")
    _where(cluster, inner=False)
    what = cluster.add_subparsers(dest="cluster_action", required=True)
    status = what.add_parser("status", help="every member: role, term, applied index, lag, reachable")
    _where(status, inner=True)
    status.add_argument("--address", help="ask this member (host:port) instead of self_address")
    status.add_argument("--json", action="store_true", help="the members' answers as JSON")
    status.set_defaults(handler=cluster_status)
    add = what.add_parser("add", help="add a member (start it first with every current member as peers and an "
                                      "empty data dir)")
    _where(add, inner=True)
    add.add_argument("member", help="the new member's Raft address host:port")
    add.set_defaults(handler=cluster_add)
    remove = what.add_parser("remove", help="remove a member (a dead machine)")
    _where(remove, inner=True)
    remove.add_argument("member", help="the member's Raft address host:port")
    remove.set_defaults(handler=cluster_remove)

    single = actions.add_parser("force-single", help="DANGER: make this stopped node a cluster of one")
    single.add_argument("--config", required=True)
    single.add_argument("--data-dir")
    single.add_argument("--yes-the-other-members-are-gone-for-good", dest="confirmed", action="store_true",
                        help="confirm you read the warning")
    single.set_defaults(handler=force_single)


def _load(args: argparse.Namespace):
    from config.cluster import cluster_of
    from config.loader import ConfigError, load_config

    if not getattr(args, "config", None):
        print("--config FILE is required", file=sys.stderr)
        raise SystemExit(2)
    try:
        config = load_config(args.config)
    except ConfigError as err:
        print(f"configuration error:\n{err}", file=sys.stderr)
        raise SystemExit(2) from None
    cluster = cluster_of(config)
    if cluster is None:
        print("this configuration has no [cluster] section", file=sys.stderr)
        raise SystemExit(2)
    return config, cluster


def _admin(cluster, address: str, command: list):
    from branch.cluster.replica import admin_command, raft_password

    return admin_command(address, raft_password(cluster.secret.get_secret_value()), command)


def _member_status(cluster, address: str) -> dict | None:
    try:
        answer = _admin(cluster, address, ["sq_status"])
    except ConnectionError:
        return None
    return answer if isinstance(answer, dict) else None


def cluster_status(args: argparse.Namespace) -> int:
    """Ask the member named (or this one) for the membership, then every member for its own view."""
    _, cluster = _load(args)
    first = args.address or cluster.self_address
    answer = _member_status(cluster, first)
    if answer is None:
        print(f"no answer from {first} (is the node running? is the secret the same?)", file=sys.stderr)
        return 1
    members = sorted(set(answer.get("members") or [first]) | {first})
    rows = {m: (answer if m == first else _member_status(cluster, m)) for m in members}
    if args.json:
        print(json.dumps(rows, indent=2, sort_keys=True))
        return 0
    leader = next((r for r in rows.values() if r and r.get("role") == "leader"), None)
    top = leader.get("commit_index") if leader else max((r.get("applied_index") or 0 for r in rows.values() if r),
                                                         default=0)
    print(format_table(["member", "role", "term", "applied index", "lag", "reachable"], [
        [m, r["role"], r["term"], r["applied_index"], max(0, (top or 0) - r["applied_index"]), "yes"] if r
        else [m, "?", "?", "?", "?", "no"] for m, r in rows.items()]))
    for member, row in rows.items():
        if row and row.get("stuck"):
            stuck = row["stuck"]
            print(f"{member} is stuck applying raft index {stuck['index']} ({stuck['attempts']} attempts): "
                  f"{stuck['error']} (see its log; it retries every few seconds)")
        if row and row.get("superseded"):
            print(f"{member} takes no part any more: {row['superseded']} (wipe its data dir, then add it again)")
    if leader is None:
        print("no leader: writes are refused until a majority of members can reach each other")
    return 0


def format_table(header: list[str], rows: list[list]) -> str:
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _change(args: argparse.Namespace, verb: str) -> int:
    _, cluster = _load(args)
    try:
        result = _admin(cluster, cluster.self_address, [verb, args.member])
    except ConnectionError as err:
        print(f"the change failed: {err} (is the node running? is there a leader?)", file=sys.stderr)
        return 1
    if not str(result).startswith("SUCCESS"):  # pysyncobj answers "SUCCESS add host:port" or "FAIL add host:port"
        print(f"the change failed: {result} (is this member connected to the leader? one change at a time)",
              file=sys.stderr)
        return 1
    print(f"{args.member} {'added to' if verb == 'add' else 'removed from'} the cluster", file=sys.stderr)
    return 0


def cluster_add(args: argparse.Namespace) -> int:
    return _change(args, "add")


def cluster_remove(args: argparse.Namespace) -> int:
    return _change(args, "remove")


def force_single(args: argparse.Namespace) -> int:
    from branch.cluster.replica import unapplied_commands, write_bootstrap_dump, write_forced_log
    from branch.store import Store

    config, cluster = _load(args)
    if not args.confirmed:
        print(FORCE_SINGLE_WARNING, file=sys.stderr)
        print("\nrun again with --yes-the-other-members-are-gone-for-good", file=sys.stderr)
        return 2
    data_dir = Path(args.data_dir or config.node.data_dir)
    try:
        _admin(cluster, cluster.self_address, ["status"])
    except ConnectionError:
        pass
    else:
        print("the node is running: stop it first", file=sys.stderr)
        return 2
    store = Store(data_dir / "branch.sqlite3")
    try:
        applied = store.query("SELECT applied_index FROM cluster_state WHERE id = 1")[0][0]
        # entries this node's journal holds but its database has not applied yet (committed, or maybe committed:
        # the others are gone and cannot say): kept, in order, after the new starting point, so the node applies
        # them once it runs alone, as any newly elected Raft leader would
        pending = unapplied_commands(data_dir, applied)
        # the new generation goes into the bootstrap dump too: members added later install it with the dump
        store.execute_write("UPDATE cluster_state SET generation = generation + 1 WHERE id = 1")
        store.execute_write("DELETE FROM cluster_members WHERE raft_address != ?", (cluster.self_address,))
        store.execute_write("DELETE FROM cluster_applied")  # a new log: its indexes mean other entries
        index = write_bootstrap_dump(store.path, data_dir, cluster.self_address, [])
        store.execute_write("UPDATE cluster_state SET applied_index = ? WHERE id = 1", (index,))
        write_forced_log(data_dir, pending)
    finally:
        store.close()
    print(FORCE_SINGLE_WARNING, file=sys.stderr)
    if pending:
        print(f"\n{len(pending)} entries this node's journal held but had not applied yet are kept: it applies them "
              "when it starts", file=sys.stderr)
    print(f"\n{cluster.self_address} is now a cluster of one (its Raft state, not `peers`, holds the membership "
          "from now on): start it", file=sys.stderr)
    return 0
