"""The replicated command runner: the node's command port (`branch.runner`) over a Raft log.

- The leader fixes time and ids (`make(now_ms)` builds the Command) and proposes {command, actor, command id,
  idempotency key} to the Raft log. Every member applies committed entries in log order through the pure engine on
  its loop and commits them through the node's `Committer` (all or nothing), recording the Raft index in the same
  transaction. The leader answers the client once its own apply is done (committed + applied).
- A command refused by the engine (DomainError), or one the engine fails to apply (the same on every member), is
  applied as a no-op everywhere (only the index is recorded). Building the leader's answer cannot fail an apply: a
  failing answer is replaced by the answer a follower stores, so members never diverge over a view.
- It sees the node only through `RunnerContext` (store, writer, committer, callbacks).
- Idempotency is checked again at apply time, so two proposals with the same key (a retry racing a slow commit,
  a retry after a failover) issue one ticket; followers store the same record with a response built from state.
- Device tokens and pairing codes are replicated as rows: local writes (API, CLI) are queued by SQLite triggers in
  `cluster_pending` and proposed through the log by whichever member made them.
- Followers refuse writes (503 `not_leader` with the leader's API URL); without a majority every member refuses
  writes (503 `no_quorum`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from branch.api_errors import ApiError, from_domain
from branch.archive import archive_step
from branch.cluster.replica import (
    Replica,
    admin_command,
    has_raft_state,
    journal_end,
    raft_password,
    write_bootstrap_dump,
)
from branch.commit import CommandFailed
from branch.runner import (
    SAVE_PUSH,
    CommandRequest,
    CommandResult,
    Leadership,
    Respond,
    RunnerContext,
    count,
    stored_answer,
    stored_push,
)
from branch.store import Batch, canonical
from config.cluster import ClusterConfig
from queue_engine import commands as cmd
from queue_engine.errors import DomainError

log = logging.getLogger(__name__)

SET_APPLIED = "UPDATE cluster_state SET applied_index = ? WHERE id = 1"
RECORD_APPLIED = "INSERT OR REPLACE INTO cluster_applied (raft_index, digest) VALUES (?, ?)"
PRUNE_APPLIED = "DELETE FROM cluster_applied WHERE raft_index < ?"
EXIT_DIVERGED = 3  # the process ends with this code when its database and the log disagree
EXIT_SETUP_DIFFERS = 4  # ... when it would decide under another setup than the command's leader
APPLY_RETRY_FIRST_S = 0.05  # a failed apply is retried after this, doubling up to APPLY_RETRY_MAX_S
APPLY_RETRY_MAX_S = 4.0
STUCK_LEADER_S = 3.0  # a leader failing to apply an entry this long hands the lead over (Replica._tick)
SET_CONFIG_INDEX = "INSERT OR REPLACE INTO meta (key, value) VALUES ('cluster.config_index', ?)"


class Diverged(RuntimeError):
    """This member's database does not match the Raft log: it must not vote or serve until it gets a dump."""


def entry_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:32]
REPLICATED_TABLES = {"devices": "id", "pairing_codes": "code_hash"}
TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS cluster_{table}_{op.lower()} AFTER {op} ON {table}"
    f" WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'cluster.applying')"
    f" BEGIN INSERT INTO cluster_pending (tbl, row_key) VALUES ('{table}', NEW.{key}); END"
    for table, key in REPLICATED_TABLES.items() for op in ("INSERT", "UPDATE")
]


def session_key(config: ClusterConfig) -> bytes:
    """The agent-session signing key every member shares, derived from the cluster secret."""
    return hmac.new(config.secret.get_secret_value().encode(), b"smartqueue session key", hashlib.sha256
                    ).hexdigest().encode()


def encode_command(command: cmd.Command) -> dict[str, Any]:
    return {"type": type(command).__name__,
            "fields": {f.name: getattr(command, f.name) for f in dataclasses.fields(command)}}


def decode_command(data: dict[str, Any]) -> cmd.Command:
    kind = getattr(cmd, data["type"], None)
    if not (isinstance(kind, type) and issubclass(kind, cmd.Command)):
        raise ValueError(f"unknown command type {data['type']!r}")
    return kind(**data["fields"])


class ReplicatedRunner:
    def __init__(self, context: RunnerContext, config: ClusterConfig) -> None:
        self.context = context
        self.config = config
        self.leadership = Leadership("follower")
        self.api_port: int | None = None
        self.api_scheme = "http"
        self.replica: Replica | None = None
        self.applied_index = 0
        self.role = "follower"
        self.term = 0
        self.leader_address: str | None = None
        self.members: dict[str, str | None] = {}
        self._waiters: dict[str, tuple[asyncio.Future, Any]] = {}
        self.generation = 0  # cluster_state.generation: force-single starts a new one
        self.superseded: str | None = None  # why this member stopped taking part (an older generation)
        #: committed entries handed over by pysyncobj's thread, applied in log order by one task on the loop
        self._entries: asyncio.Queue = asyncio.Queue()
        self._applier: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task] = []
        self._stopping = False
        self._last_at = 0
        self.config_index = 0  # the Raft index of the last configuration entry applied here (0: the local files)
        #: (config index, setup digest) announced in vote requests: set once both are current, never half-updated
        self.vote_stamp: tuple[int, str] | None = None
        self._proposed_rows: dict[int, float] = {}
        self._announced = 0.0
        self.applies = 0
        #: the entry this member fails to apply (index, error, attempts, since): shown by `cluster status`
        self.stuck: dict[str, Any] | None = None
        self._fresh = False  # started empty (see start): may join a newer generation

    # -- lifecycle ----------------------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        if self.config.api_url:
            return self.config.api_url.rstrip("/")
        host = self.config.self_address.rsplit(":", 1)[0]
        # the scheme this node really serves: a follower's not_leader answer must not send clients to http://
        # (with the token in clear) when every member serves HTTPS
        return f"{self.api_scheme}://{host}:{self.api_port}"

    async def start(self, api_port: int, scheme: str = "http") -> None:
        self.api_port = api_port
        self.api_scheme = scheme
        self._loop = asyncio.get_running_loop()
        context = self.context
        data_dir = context.data_dir
        store = context.store
        await context.writer.run(self._prepare_database)
        rows = store.query("SELECT applied_index FROM cluster_state WHERE id = 1")
        self.applied_index = rows[0][0]
        self._check_journal_reaches_database()
        seq = context.committer.core.seq
        if not has_raft_state(data_dir) and self.applied_index == 0 and seq > 0:
            if self.config.peers:
                raise RuntimeError(
                    "this node holds a queue history but no cluster state: start it alone first (peers = []) so it "
                    "founds the cluster, then add the other members (with empty data dirs) with "
                    "`smartqueue node cluster add`")
            self.applied_index = await context.writer.run(lambda: self._bootstrap([]))
            log.info("founding the cluster from this node's database (seq %d)", seq)
        self._last_at = store.last_at_ms()  # the archive checkpoint's when every event was archived
        self.members = {r[0]: r[1] for r in store.query("SELECT raft_address, api_url FROM cluster_members")}
        self.config_index = self._stored_config_index()
        self.vote_stamp = (self.config_index, context.setup_digest())
        self.generation = store.query("SELECT generation FROM cluster_state WHERE id = 1")[0][0]
        # an empty member (no Raft state, nothing applied: the README's "wipe it, then add it again") holds nothing
        # of an older generation: it joins the newest one it meets instead of being superseded by it
        self._fresh = not has_raft_state(data_dir) and self.applied_index == 0
        self._applier = asyncio.create_task(self._apply_in_order(), name="sq-cluster-apply")
        known = {r[0] for r in store.query("SELECT raft_address FROM cluster_members")} | set(self.config.peers)
        await self._check_generation(sorted(known - {self.config.self_address}))  # before it can vote
        self.replica = await asyncio.to_thread(self._make_replica)
        self.replica.member_status = self.member_status
        self._tasks = [self._applier, asyncio.create_task(self._watch(), name="sq-cluster-watch"),
                       asyncio.create_task(self._pump_rows(), name="sq-cluster-rows"),
                       asyncio.create_task(self._watch_generation(), name="sq-cluster-generation")]
        log.info("cluster member %s (%s), peers %s, applied index %d", self.config.self_address,
                 "witness" if self.config.witness else "voter", self.config.peers, self.applied_index)

    def _stored_config_index(self) -> int:
        rows = self.context.store.query("SELECT value FROM meta WHERE key = 'cluster.config_index'")
        return int(rows[0][0]) if rows else 0

    def _check_journal_reaches_database(self) -> None:
        """Refuse to start (so never vote or serve) when the database applied entries this member's log lost."""
        if not has_raft_state(self.context.data_dir):
            return
        end = journal_end(self.context.data_dir)
        if self.applied_index > end:
            message = (f"the database has applied Raft index {self.applied_index} but this member's journal ends at "
                       f"{end}: its disk lost writes it had confirmed. It will not vote or serve. Move its data dir "
                       "away, start it with an empty one (it receives a full dump from the leader), or on the last "
                       "machine standing use force-single")
            log.critical(message)
            raise Diverged(message)

    def _bootstrap(self, members: list[str]) -> int:
        store = self.context.store
        index = write_bootstrap_dump(store.path, self.context.data_dir, self.config.self_address, members)
        store.execute_write(SET_APPLIED, (index,))
        return index

    def _prepare_database(self) -> None:
        store = self.context.store
        if not store.writer_query("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cluster_%'"):
            for table, key in REPLICATED_TABLES.items():  # rows made before this node ran in a cluster
                store.execute_write(f"INSERT INTO cluster_pending (tbl, row_key) SELECT '{table}', {key} FROM {table}")
        for statement in TRIGGERS:
            store.execute_write(statement)
        store.execute_write("DELETE FROM meta WHERE key = 'cluster.applying'")

    def _make_replica(self) -> Replica:
        cfg = self.config
        return Replica(
            data_dir=self.context.data_dir, db_path=self.context.store.path, self_address=cfg.self_address,
            peers=list(cfg.peers), password=raft_password(cfg.secret.get_secret_value()), apply=self._hand_over,
            replayed=self._hand_over_replayed, applied_index=lambda: self.applied_index,
            wait_applied=self.wait_applied, install_dump=self._install_blocking, settings=cfg, witness=cfg.witness,
            bind_address=cfg.bind_address, start_silenced=self.superseded is not None, at_applied=self._at_applied,
            setup_stamp=lambda: self.vote_stamp, on_setup_refused=self._setup_differs,
            cannot_apply=self._cannot_apply)

    async def stop(self) -> None:
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.replica is not None:
            await asyncio.to_thread(self.replica.stop)
        for future, _ in list(self._waiters.values()):
            if not future.done():
                future.set_result(("failed", "stopping"))
        await self.leadership.close()

    # -- leadership --------------------------------------------------------------------------------------------

    @property
    def is_leader(self) -> bool:
        return (self.replica is not None and self.replica.is_leader and not self.config.witness
                and self.superseded is None)

    async def _watch(self) -> None:
        while True:
            replica = self.replica
            role, term, leader = replica.role, replica.term, replica.leader
            if self.superseded is not None:
                await asyncio.sleep(0.5)
                continue
            if (role, term, leader) != (self.role, self.term, self.leader_address) or not self.leadership.started:
                self.role, self.term, self.leader_address = role, term, leader
                log.info("raft: %s in term %d (leader %s)", role, term, leader)
                # role listeners (zeroconf) and leadership listeners (sync: a witness never leads)
                self.leadership.set(role, term, role == "leader" and not self.config.witness)
            if leader is not None and self.members.get(self.config.self_address) != self.api_url \
                    and time.monotonic() - self._announced > 2.0:
                self._announced = time.monotonic()
                self._propose({"kind": "member", "raft": self.config.self_address, "api": self.api_url,
                               "node_id": self.context.node_id, "witness": self.config.witness})
            await asyncio.sleep(0.05)

    def leader_url(self) -> str | None:
        leader = self.leader_address
        return self.members.get(leader) if leader else None

    def check_writable(self) -> None:
        """Raise the documented 503 unless this node may accept a write now."""
        replica = self.replica
        if replica is None:
            raise ApiError(503, "no_quorum", "the node is joining its cluster; try again shortly",
                           headers={"Retry-After": "1"})
        if self.superseded is not None:
            raise ApiError(503, "superseded", "this node's data is from before the branch was forced to a single "
                           "node: it takes no writes", leader=None)
        if self.is_leader:
            if not self._has_majority():  # connections closed by dead peers count at once, silence after fallback
                raise ApiError(503, "no_quorum", "this node cannot reach a majority of its cluster: writes are "
                               "refused so the branch never runs two queues", headers={"Retry-After": "1"})
            return
        if replica.connected_majority() and not (replica.is_leader and self.config.witness):
            raise ApiError(503, "not_leader", "this node is not the branch's leader; send writes to the leader",
                           headers={"Retry-After": "1"}, leader=self.leader_url())
        if self.config.witness and replica.is_leader:
            raise ApiError(503, "not_leader", "this witness is handing the lead over", headers={"Retry-After": "1"},
                           leader=None)
        raise ApiError(503, "no_quorum", "this node cannot reach a majority of its cluster: writes are refused "
                       "so the branch never runs two queues", headers={"Retry-After": "1"})

    def add_leadership_listener(self, callback: Callable[[bool], Any]) -> None:
        self.leadership.add_leadership_listener(callback)

    def add_role_listener(self, callback: Callable[[str, int], Any]) -> None:
        self.leadership.add_role_listener(callback)

    async def _check_generation(self, addresses: list[str]) -> bool:
        """Is one of these members of a newer generation (force-single ran there)? Then this member stops taking
        part: no vote, no writes, said in the log and in `cluster status`."""
        password = raft_password(self.config.secret.get_secret_value())
        for address in addresses:
            try:
                answer = await asyncio.to_thread(admin_command, address, password, ["sq_status"], 0.5)
            except ConnectionError:
                continue
            newer = answer.get("generation", 0) if isinstance(answer, dict) else 0
            if newer > self.generation and self._fresh and self.applied_index == 0:
                self.generation = newer
                await self.context.writer.run(lambda g=newer: self.context.store.execute_write(
                    "UPDATE cluster_state SET generation = ? WHERE id = 1", (g,)))
                log.info("%s runs generation %d: this empty member joins it", address, newer)
                continue
            if newer > self.generation:
                self.superseded = (f"{address} runs generation {newer} (force-single) and this member generation "
                                   f"{self.generation}")
                log.critical("%s: this member's data is from before force-single; it takes no part in the cluster "
                             "any more (no vote, no writes). Wipe its data dir and add it again with `smartqueue "
                             "node cluster add`.", self.superseded)
                if self.replica is not None:
                    self.replica.silence()
                self.leadership.set("superseded", self.term, False)
                return True
        return False

    async def _watch_generation(self) -> None:
        """Ask the other members' generation every second (a forced node may come back later)."""
        while self.superseded is None:
            await asyncio.sleep(1.0)
            await self._check_generation([a for a in self.replica.members() if a != self.config.self_address])

    def member_status(self) -> dict[str, Any]:
        """What `smartqueue node cluster status` shows of this member (answered on pysyncobj's thread: plain reads)."""
        replica = self.replica
        raft = replica.status() if replica is not None else {}
        role = "superseded" if self.superseded else "witness" if self.config.witness else self.role
        return {"member": self.config.self_address, "role": role, "generation": self.generation,
                "superseded": self.superseded, "term": self.term, "leader": self.leader_address,
                "applied_index": self.applied_index, "stuck": self.stuck,
                "commit_index": raft.get("commit_index"), "members": raft.get("members", []),
                "api": self.api_url if self.api_port else None}

    def health(self) -> dict[str, Any]:
        replica = self.replica
        role = "superseded" if self.superseded else "witness" if self.config.witness else self.role
        out: dict[str, Any] = {"role": role, "term": self.term, "leader": self.leader_url(),
                               "generation": self.generation, "stuck_applying": self.stuck}
        if replica is not None:
            out["cluster"] = {**replica.status(), "applied_index": self.applied_index,
                              "self": self.config.self_address}
        return out

    # -- proposing ------------------------------------------------------------------------------------------------

    def _propose(self, payload: dict[str, Any], on_failure: Callable[[str], None] | None = None) -> None:
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        self.replica.propose(data, on_failure)

    async def run(self, request: CommandRequest) -> CommandResult:
        context = self.context
        self.check_writable()
        if request.idempotency_key is not None:
            found = context.store.idempotent_response(request.scope, request.idempotency_key)
            if found is not None:
                return stored_answer(found, request.request_hash)
        command = request.make(max(context.now_ms(), self._last_at))  # time never runs backwards across a failover
        command_id = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._waiters[command_id] = (future, request.respond)

        def failed(reason: str) -> None:
            loop.call_soon_threadsafe(self._fail, command_id, reason)

        try:
            self._propose({"kind": "command", "id": command_id, "origin": context.node_id, **encode_command(command),
                           "actor": request.actor, "idem": list(request.idempotency() or ()) or None,
                           "setup": [self.config_index, context.setup_digest()]}, failed)
            kind, value = await self._await_commit(future)
        finally:
            self._waiters.pop(command_id, None)
        if kind == "domain":
            count(context.metrics, command, value.code)
            raise from_domain(value)
        if kind == "error":
            raise value
        if kind == "failed":
            raise ApiError(503, "not_leader", f"the command was not committed ({value}); retry", leader=None,
                           headers={"Retry-After": "1"})
        count(context.metrics, command, "ok")
        return value

    async def apply_config(self, version: int, sections: dict[str, Any], at_ms: int) -> None:
        """Through the log: every member stores the push and runs on it in the entry's own transaction."""
        await self._propose_and_wait({"kind": "config", "version": version, "sections": sections, "at": at_ms},
                                     "the configuration")

    async def archive(self, upto_seq: int) -> None:
        """Through the log: every member archives up to the same seq at the same log position."""
        await self._propose_and_wait({"kind": "archive", "upto": upto_seq, "at": self.context.now_ms()},
                                     "the archive step")

    async def _propose_and_wait(self, payload: dict[str, Any], what: str) -> None:
        """Propose an entry that is not a client's command and wait until this member applied it."""
        self.check_writable()
        entry_id = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._waiters[entry_id] = (future, None)
        try:
            self._propose({**payload, "id": entry_id, "origin": self.context.node_id},
                          lambda reason: loop.call_soon_threadsafe(self._fail, entry_id, reason))
            kind, value = await self._await_commit(future)
        finally:
            self._waiters.pop(entry_id, None)
        if kind != "ok":
            raise ApiError(503, "not_leader", f"{what} was not committed ({value}); retry", leader=None,
                           headers={"Retry-After": "1"})

    def _has_majority(self) -> bool:
        replica = self.replica
        return replica.connected_majority() and replica.leader_has_quorum(self.config.leader_fallback_s)

    async def _await_commit(self, future: asyncio.Future) -> tuple[str, Any]:
        """The entry's outcome; 503 as soon as this leader loses its majority (not after commit_timeout_s)."""
        deadline = time.monotonic() + self.config.commit_timeout_s
        while True:
            try:
                return await asyncio.wait_for(asyncio.shield(future), 0.05)
            except TimeoutError:
                pass
            if not self._has_majority():
                raise ApiError(503, "no_quorum", "this node lost the majority of its cluster before the command was "
                               "committed; retry with the same Idempotency-Key", headers={"Retry-After": "1"})
            if time.monotonic() > deadline:
                raise ApiError(503, "commit_timeout", "the cluster did not commit this command in time; retry with "
                               "the same Idempotency-Key", headers={"Retry-After": "1"})

    def _fail(self, command_id: str, reason: str) -> None:
        waiter = self._waiters.get(command_id)
        if waiter is not None and not waiter[0].done():
            waiter[0].set_result(("failed", reason))

    def _resolve(self, waiter, kind: str, value: Any) -> None:
        if waiter is not None and not waiter[0].done():
            waiter[0].set_result((kind, value))

    # -- applying: pysyncobj's thread hands each committed entry over and returns at once ---------------------------
    #
    # Heartbeats, votes and appends never wait on SQLite: one task on the loop applies the handed entries in log
    # order, each in its own transaction with its Raft index. A crash before an entry's commit replays it from the
    # journal (its index is above the database's). Only dumps wait: `_serialize` needs the database exactly at
    # pysyncobj's last applied index, and an installed dump replaces the database between two entries.

    def _hand_over(self, index: int, payload: bytes) -> None:
        self._loop.call_soon_threadsafe(self._entries.put_nowait, ("apply", index, payload, None))

    def _hand_over_replayed(self, index: int, payload: bytes) -> None:
        self._loop.call_soon_threadsafe(self._entries.put_nowait, ("replayed", index, payload, None))

    def _at_applied(self, index: int, action: Callable[[], None]) -> None:
        """On pysyncobj's thread, entries up to `index` handed over and no later one: `action` runs on the apply
        task right after entry `index` is applied (queued behind it), with the database exactly there."""
        self._loop.call_soon_threadsafe(self._entries.put_nowait, ("at", index, action, None))

    def _install_blocking(self, filename: str, index: int) -> None:
        done = threading.Event()
        self._loop.call_soon_threadsafe(self._entries.put_nowait, ("install", index, filename, done))
        while not done.wait(0.5):
            if self._stopping:
                raise RuntimeError("the node is stopping")

    def wait_applied(self, index: int, timeout: float) -> bool:
        """On pysyncobj's thread: has the database reached `index` (within `timeout`)? For dumps."""
        deadline = time.monotonic() + timeout
        while self.applied_index < index:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return self.applied_index == index

    async def _apply_in_order(self) -> None:
        while True:
            kind, index, data, done = await self._entries.get()
            if kind == "at":
                data()  # never raises: a dump that cannot be pinned reports FAILED and is tried again later
                continue
            delay, last = APPLY_RETRY_FIRST_S, None
            while True:  # an entry is never skipped: a failure is retried until it applies
                try:
                    if kind == "apply":
                        await self._apply(index, data)
                    elif kind == "replayed":
                        await self._check_replayed(index, data)
                    else:
                        await self._install(data, index)
                        done.set()
                    break
                except asyncio.CancelledError:
                    raise
                except Exception as err:
                    last = self._stuck_on(index, err, last)
                    await asyncio.sleep(delay)  # backing off: a disk that refuses is not helped by 20 tries a second
                    delay = min(delay * 2, APPLY_RETRY_MAX_S)
            if self.stuck is not None:
                log.warning("raft index %d applied after %d attempts; this member applies again", index,
                            self.stuck["attempts"] + 1)
                self.stuck = None

    def _cannot_apply(self) -> bool:
        """On pysyncobj's thread: stuck applying one entry for STUCK_LEADER_S (`stuck` is replaced whole)."""
        stuck = self.stuck
        return stuck is not None and time.time() - stuck["since"] >= STUCK_LEADER_S

    def _stuck_on(self, index: int, err: Exception, last: str | None) -> str:
        """Record that this member cannot apply `index` (shown by `cluster status`); log each distinct failure
        once, with its traceback, not once per attempt."""
        what = f"{type(err).__name__}: {err}"
        attempts = self.stuck["attempts"] + 1 if self.stuck and self.stuck["index"] == index else 1
        since = self.stuck["since"] if self.stuck and self.stuck["index"] == index else time.time()
        self.stuck = {"index": index, "error": what, "attempts": attempts, "since": since}
        if what != last:
            log.error("applying raft index %d failed (%s); this member is stuck applying and retries, backing off "
                      "to every %.0f s (the same failure is not logged again)", index, what, APPLY_RETRY_MAX_S,
                      exc_info=err)
        return what

    async def _check_replayed(self, index: int, raw: bytes) -> None:
        """A journal entry already applied here must be the very entry applied: otherwise stop, loudly."""
        rows = self.context.store.query("SELECT digest FROM cluster_applied WHERE raft_index = ?", (index,))
        if not rows or rows[0][0] == entry_digest(raw):
            return  # no row: applied before this check existed, or older than what is kept
        self._diverged(f"raft index {index} replayed from the journal is not the entry this database applied there "
                       f"(digest {entry_digest(raw)} != {rows[0][0]})")

    def _diverged(self, reason: str) -> None:
        """Stop this member: a database that disagrees with the log must neither vote nor serve."""
        log.critical("%s: this member's database has diverged from the cluster; stopping (exit %d). Move its data "
                     "dir away and start it empty so it receives a full dump.", reason, EXIT_DIVERGED)
        logging.shutdown()
        os._exit(EXIT_DIVERGED)

    async def _apply(self, index: int, raw: bytes) -> None:
        if index <= self.applied_index:
            return
        payload = json.loads(raw)
        extra = [(SET_APPLIED, (index,)), (RECORD_APPLIED, (index, entry_digest(raw)))]
        if index % 1000 == 0:  # keep what a journal can replay (it is compacted every log_compaction_entries)
            extra.append((PRUNE_APPLIED, (index - 2 * self.config.log_compaction_entries - 1000,)))
        kind = payload.get("kind")
        if kind == "command":
            await self._apply_command(payload, extra)
        elif kind == "rows":
            await self._apply_rows(payload, extra)
        elif kind == "config":
            await self._apply_config_entry(index, payload, extra)
        elif kind == "archive":
            context = self.context
            await archive_step(context.store, context.writer, context.committer.core, payload["upto"],
                               payload["at"], extra)
            waiter = self._waiters.get(payload["id"]) if payload.get("origin") == context.node_id else None
            self._resolve(waiter, "ok", None)
        elif kind == "member":
            extra.append(("INSERT OR REPLACE INTO cluster_members (raft_address, api_url, node_id, witness)"
                          " VALUES (?, ?, ?, ?)", (payload["raft"], payload["api"], payload["node_id"],
                                                   int(payload["witness"]))))
            await self._write(extra)
            self.members[payload["raft"]] = payload["api"]
        else:
            log.error("raft index %d: unknown entry kind %r, skipped", index, kind)
            await self._write(extra)
        self.applied_index = index
        self.applies += 1

    async def _write(self, extra: list[tuple[str, tuple]]) -> None:
        store = self.context.store
        await self.context.writer.run(lambda: store.write(Batch([], [], [], extra=extra)))

    async def _apply_config_entry(self, index: int, payload: dict[str, Any], extra: list) -> None:
        """Central's push, stored and run on by every member between the same two commands."""
        context = self.context
        data = json.dumps(payload["sections"], separators=(",", ":"), ensure_ascii=False)
        extra += [(SAVE_PUSH, (payload["version"], data, payload["at"])), (SET_CONFIG_INDEX, (str(index),))]
        await self._write(extra)
        self.config_index = index
        try:
            context.apply_pushed(payload["sections"])
        except Exception as err:
            self._setup_differs(f"the configuration push v{payload['version']} at raft index {index} does not fit "
                                f"this member's configuration file: {err}")
        self.vote_stamp = (index, context.setup_digest())
        log.info("configuration push v%s applied at raft index %d (setup %s)", payload["version"], index,
                 context.setup_digest())
        waiter = self._waiters.get(payload["id"]) if payload.get("origin") == context.node_id else None
        self._resolve(waiter, "ok", None)

    def _setup_differs(self, reason: str) -> None:
        log.critical("%s: this member would decide differently from the cluster; it stops applying (exit %d). "
                     "Give every member the same branch configuration file, then start it again.", reason,
                     EXIT_SETUP_DIFFERS)
        logging.shutdown()
        os._exit(EXIT_SETUP_DIFFERS)

    async def _apply_command(self, payload: dict[str, Any], extra: list) -> None:
        context = self.context
        waiter = self._waiters.get(payload["id"]) if payload.get("origin") == context.node_id else None
        stamp = payload.get("setup")
        if stamp is not None and stamp[0] != self.config_index:
            # decided before a configuration entry that precedes it in the log: the same no-op on every member
            await self._write(extra)
            self._resolve(waiter, "error", ApiError(503, "config_changed", "the branch's configuration changed "
                                                    "while this command was decided; retry",
                                                    headers={"Retry-After": "0"}))
            return
        if stamp is not None and stamp[1] != context.setup_digest():
            self._setup_differs(f"command {payload['id']} was decided under setup {stamp[1]} (configuration entry "
                                f"{stamp[0]}); this member's setup is {context.setup_digest()}")
        idem = payload.get("idem")
        if idem:
            found = context.store.idempotent_response(idem[0], idem[1])
            if found is not None:  # a second proposal with the same key: the first one's answer
                await self._write(extra)
                try:
                    self._resolve(waiter, "ok", stored_answer(found, idem[2]))
                except ApiError as err:
                    self._resolve(waiter, "error", err)
                return
        command = decode_command(payload)
        self._last_at = max(self._last_at, command.at_ms)
        respond = self._answer(command, waiter[1] if waiter is not None else None) if (waiter or idem) else None
        try:
            prepared = await context.committer.commit(command, payload["actor"], payload["id"], respond,
                                                      tuple(idem) if idem else None, extra)
        except DomainError as err:
            await self._write(extra)  # refused by the engine: the same no-op on every member
            self._resolve(waiter, "domain", err)
            return
        except CommandFailed as failed:
            await self._write(extra)  # if this fails too, the entry is retried (and logged) by _apply_in_order
            log.error("applying command %s failed (%s); it is a no-op on every member", payload["id"], failed)
            self._resolve(waiter, "error", ApiError(500, "internal_error", "the node failed to apply this command"))
            return
        # a failed write raises from here: memory is already back to disk, and _apply_in_order retries the entry
        status, body = prepared.response if prepared.response is not None else (200, None)
        self._resolve(waiter, "ok", CommandResult(status, body, False))

    def _answer(self, command: cmd.Command, respond: Respond | None) -> Respond:
        """The serving member's own answer, or what any member stores; never an exception (members must agree)."""
        fallback = self.context.answer_for(command)
        if respond is None:
            return fallback

        def answer(events) -> tuple[int, Any]:
            try:
                status, body = respond(events)
                canonical(body)  # stored for the Idempotency-Key by the stage: a body it cannot store would fail
                return status, body  # the leader's apply alone, and the members' chains would part
            except Exception:
                log.exception("building the answer to %s failed; storing the generic answer", type(command).__name__)
                return fallback(events)

        return answer

    async def _apply_rows(self, payload: dict[str, Any], extra: list) -> None:
        table, row = payload["tbl"], payload["row"]
        if table not in REPLICATED_TABLES:
            log.error("refusing to replicate rows of %r", table)
            await self._write(extra)
            return
        columns = sorted(row)
        for column in columns:
            if not column.replace("_", "").isalnum():
                raise ValueError(f"bad column {column!r}")
        extra.append(("INSERT OR REPLACE INTO meta (key, value) VALUES ('cluster.applying', '1')", ()))
        if table == "devices":
            extra.append(("DELETE FROM devices WHERE token_hash = ? AND id != ?", (row["token_hash"], row["id"])))
        extra.append((f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) VALUES"
                      f" ({', '.join('?' for _ in columns)})", tuple(row[c] for c in columns)))
        extra.append(("DELETE FROM meta WHERE key = 'cluster.applying'", ()))
        if payload.get("origin") == self.context.node_id and payload.get("pending") is not None:
            extra.append(("DELETE FROM cluster_pending WHERE id = ?", (payload["pending"],)))
        await self._write(extra)
        self.context.devices_changed()

    async def _pump_rows(self) -> None:
        """Propose local device / pairing rows (API, CLI) so every member knows them."""
        context = self.context
        store = context.store
        while True:
            await asyncio.sleep(0.25)
            if self.leader_address is None:
                continue
            try:
                pending = store.query("SELECT id, tbl, row_key FROM cluster_pending ORDER BY id LIMIT 50")
                now = time.monotonic()
                # forget rows no longer pending (replicated, or gone): the map stays as small as the queue
                still = {row[0] for row in pending}
                self._proposed_rows = {k: v for k, v in self._proposed_rows.items() if k in still}
                for pending_id, table, key in pending:
                    if now - self._proposed_rows.get(pending_id, 0) < 3.0 or table not in REPLICATED_TABLES:
                        continue
                    rows = store.query(f"SELECT * FROM {table} WHERE {REPLICATED_TABLES[table]} = ?", (key,))
                    if not rows:
                        await context.writer.run(lambda i=pending_id: store.execute_write(
                            "DELETE FROM cluster_pending WHERE id = ?", (i,)))
                        continue
                    self._proposed_rows[pending_id] = now
                    self._propose({"kind": "rows", "tbl": table, "row": dict(rows[0]), "origin": context.node_id,
                                   "pending": pending_id})
            except Exception:
                log.exception("replicating device rows failed; retrying")

    # -- full dumps -------------------------------------------------------------------------------------------------

    async def _install(self, filename: str, index: int) -> None:
        """Replace this member's database with a dump from the leader (it was too far behind the log)."""
        context = self.context
        store = context.store

        def restore() -> None:
            store.restore_from(filename)
            store.execute_write(SET_APPLIED, (index,))
            for statement in TRIGGERS:
                store.execute_write(statement)

        await context.writer.run(restore)
        context.committer.core.reload()
        self.applied_index = index
        self.members = {r[0]: r[1] for r in store.query("SELECT raft_address, api_url FROM cluster_members")}
        self._last_at = store.last_at_ms()  # the archive checkpoint's when every event was archived
        self.config_index = self._stored_config_index()
        self.generation = store.query("SELECT generation FROM cluster_state WHERE id = 1")[0][0]
        try:
            context.apply_pushed(stored_push(store))
        except Exception as err:
            self._setup_differs(f"the configuration push in the leader's dump does not fit this member's file: {err}")
        self.vote_stamp = (self.config_index, context.setup_digest())
        context.database_replaced()


