"""NodeClient: the one way apps and tools talk to the branch node (requests, on the caller's worker thread).

- Typed calls for every endpoint; errors come back as NodeError with the API's stable `code`.
- Retries with backoff on connection failures and 502/503/504; a POST is retried only with the same
  Idempotency-Key, so a retry after a timeout never issues two tickets or calls two customers.
- Follows the node: with discovery, a failed node is replaced by the branch's current leader.
- EventStream: Server-Sent Events that resume from the last seen sequence number after any disconnect.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import ssl
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests
import requests.adapters

log = logging.getLogger(__name__)
RETRY_STATUS = {502, 503, 504}
ELECTION_POLL_S = 0.1  # between retries while a cluster has no leader


class PinnedCA(requests.adapters.HTTPAdapter):
    """HTTPS checked against the branch CA alone (learnt at pairing): any certificate it signed is the branch's
    node, whatever address the node has today, so host names are not checked; the public CAs are not trusted."""

    def __init__(self, ca_file: str) -> None:
        self._context = ssl.create_default_context(cafile=ca_file)
        self._context.check_hostname = False
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        kwargs["assert_hostname"] = False
        super().init_poolmanager(*args, **kwargs)


class NodeError(Exception):
    """The node answered with an error (status, stable code), or could not be reached (status 0)."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details or {}


class NodeUnavailable(NodeError):
    def __init__(self, message: str) -> None:
        super().__init__(0, "node_unavailable", message)


@dataclass(frozen=True, slots=True)
class ServerEvent:
    seq: int  # 0 for an ephemeral message (not in the event log)
    type: str
    data: dict[str, Any]  # the envelope: seq, id, type, at, actor, data, hash — or {type, ephemeral, data}


class NodeClient:
    def __init__(self, token: str, *, base_url: str | None = None, discovery=None, timeout: float = 3.0,
                 retries: int = 3, backoff: float = 0.2, ca_file: str | None = None) -> None:
        if base_url is None and discovery is None:
            raise ValueError("give a base_url or a discovery")
        self.token = token
        self.discovery = discovery
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.ca_file = ca_file
        self._base_url = base_url.rstrip("/") if base_url else None
        self._session = self.new_session()
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def close(self) -> None:
        """Close the connections; a call still retrying gives up at once instead of sleeping out its backoff."""
        self._closed.set()
        self._session.close()

    def new_session(self) -> requests.Session:
        """A requests session that trusts the pinned branch CA (and nothing else) when one is given."""
        session = requests.Session()
        if self.ca_file is not None:
            session.mount("https://", PinnedCA(self.ca_file))
        return session

    def with_token(self, token: str) -> NodeClient:
        """A client for the same node with other credentials (e.g. an agent session)."""
        other = NodeClient(token, base_url=self._base_url, discovery=self.discovery, timeout=self.timeout,
                           retries=self.retries, backoff=self.backoff, ca_file=self.ca_file)
        return other

    # -- plumbing --------------------------------------------------------------------------------------------------

    @property
    def known_url(self) -> str | None:
        """The node in use, without looking for one (None while discovery has not found it)."""
        return self._base_url

    @property
    def base_url(self) -> str:
        with self._lock:
            if self._base_url is None:
                self._base_url = self._find_leader()
            return self._base_url

    def _pinned(self, url: str) -> str:
        """A URL the client found (zeroconf, a follower's 503), never one it was given: with the branch CA pinned
        it is reached over HTTPS only, so a record without `scheme=https` or a cluster's default `http://` api_url
        never gets the token in clear (the pinned TLS refuses any machine the branch CA did not certify)."""
        if self.ca_file is not None and url.startswith("http://"):
            return "https://" + url[len("http://"):]
        return url

    def _find_leader(self) -> str:
        candidates = self.discovery.wait(timeout=self.timeout) if self.discovery else []
        for candidate in candidates:
            url = self._pinned(candidate.url)
            try:
                health = self._session.get(url + "/api/v1/health", timeout=self.timeout).json()
            except (requests.RequestException, ValueError):
                continue
            if health.get("branch") == self.discovery.branch_id and health.get("role") == "leader":
                log.info("following node %s at %s", health.get("node_id"), url)
                return url
        raise NodeUnavailable("no node of this branch answers")

    def _lost_node(self) -> None:
        if self.discovery is not None:
            with self._lock:
                self._base_url = None

    def _follow_leader(self, response: requests.Response) -> bool:
        """[cluster, issue 8] On 503 `not_leader` with `details.leader`, use that node; True to retry at once."""
        try:
            error = response.json().get("error", {})
        except (ValueError, AttributeError):
            return False
        leader = (error.get("details") or {}).get("leader") if error.get("code") == "not_leader" else None
        if not isinstance(leader, str) or not leader.startswith(("http://", "https://")):
            return False
        leader = self._pinned(leader.rstrip("/"))
        with self._lock:
            self._base_url = leader
        log.info("following the leader at %s", leader)
        return True

    def request(self, method: str, path: str, body: Any = None, *, idempotency_key: str | None = None,
                retry: bool | None = None, timeout: float | None = None, _hops: int = 0) -> Any:
        """One API call with retries; returns the decoded JSON body."""
        headers = {"Authorization": f"Bearer {self.token}"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        if retry is None:
            retry = method == "GET" or idempotency_key is not None
        attempts = self.retries + 1 if retry else 1
        last: Exception | None = None
        electing = False
        for attempt in range(attempts):
            # [cluster, issue 16] while no member leads (an election takes well under a second) poll every ~0.1 s;
            # otherwise back off exponentially (capped)
            wait = ELECTION_POLL_S if electing else min(self.backoff * (2 ** (attempt - 1)), 2.0)
            if attempt and self._closed.wait(wait * (0.5 + random.random())):
                break  # closed while waiting to retry
            electing = False
            try:
                response = self._session.request(method, self.base_url + path, json=body, headers=headers,
                                                 timeout=timeout or self.timeout)
            except NodeUnavailable as err:  # no member answers as the leader: an election, or all down
                last = err
                electing = self.discovery is not None
                continue
            except requests.ConnectionError as err:
                last = err
                self._lost_node()
                continue
            except requests.Timeout as err:
                last = err
                if not retry:
                    break
                self._lost_node()  # [cluster, issue 8] a frozen leader times out: ask discovery for the leader again
                continue
            if response.status_code == 503 and _hops < 3 and self._follow_leader(response):
                # [cluster, issue 8] a follower did nothing: ask the leader it names (same Idempotency-Key)
                return self.request(method, path, body, idempotency_key=idempotency_key, retry=retry,
                                    timeout=timeout, _hops=_hops + 1)
            if response.status_code in RETRY_STATUS and retry and attempt + 1 < attempts:
                last = NodeError(response.status_code, "unavailable", response.reason or "")
                electing = self.discovery is not None and _error_code(response) in ("not_leader", "config_changed")
                self._lost_node()
                continue
            return _decode(response)
        raise NodeUnavailable(f"{method} {path}: {last}")

    # -- typed calls ------------------------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return self.request("GET", "/api/v1/health")

    def services(self) -> dict[str, Any]:
        return self.request("GET", "/api/v1/services")

    def issue_ticket(self, service: str, *, priority: str | int | None = None,
                     appointment: dict[str, str] | None = None, language: str = "fr",
                     idempotency_key: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"service": service, "language": language}
        if priority is not None:
            body["priority"] = priority
        if appointment is not None:
            body["appointment"] = appointment
        return self.request("POST", "/api/v1/tickets", body, idempotency_key=idempotency_key or str(uuid.uuid4()))

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        return self.request("GET", f"/api/v1/tickets/{ticket_id}")

    def cancel_ticket(self, ticket_id: str, reason: str = "customer") -> dict[str, Any]:
        return self.request("POST", f"/api/v1/tickets/{ticket_id}/cancel", {"reason": reason})

    def state(self) -> dict[str, Any]:
        return self.request("GET", "/api/v1/state")

    def counter(self, counter_id: str) -> dict[str, Any]:
        return self.request("GET", f"/api/v1/counters/{counter_id}")

    def login(self, agent: str | None = None, *, pin: str | None = None, fingerprint_slot: int | None = None,
              counter: str | None = None) -> dict[str, Any]:
        fields = {"agent": agent, "pin": pin, "fingerprint_slot": fingerprint_slot, "counter": counter}
        body = {key: value for key, value in fields.items() if value is not None}
        return self.request("POST", "/api/v1/agents/login", body)

    def logout(self) -> dict[str, Any]:
        return self.request("POST", "/api/v1/agents/logout", {})

    def counter_agents(self, counter_id: str) -> dict[str, Any]:
        """Who may log in at this counter: {"agents": [{"id", "name", "number"}]}."""
        return self.request("GET", f"/api/v1/counters/{counter_id}/agents")

    def my_day(self) -> dict[str, Any]:
        """With an agent session: the agent's figures for the day and the node's clock."""
        return self.request("GET", "/api/v1/agents/me/today")

    def staff_alerts(self) -> dict[str, Any]:
        """Keypad or admin: device alerts for staff ({"alerts": [...]})."""
        return self.request("GET", "/api/v1/staff/alerts")

    def counter_action(self, counter_id: str, action: str, body: dict[str, Any] | None = None, *,
                       idempotency_key: str | None = None) -> dict[str, Any]:
        """call-next, call, recall, start, finish, no-show, transfer, park, return, pause, resume."""
        return self.request("POST", f"/api/v1/counters/{counter_id}/{action}", body or {},
                            idempotency_key=idempotency_key or str(uuid.uuid4()))

    def create_pairing_code(self, role: str, counter: str | None = None, name: str | None = None) -> dict[str, Any]:
        return self.request("POST", "/api/v1/pairing/codes", {"role": role, "counter": counter, "name": name})

    def pair(self, code: str, name: str | None = None) -> dict[str, Any]:
        """Exchange a pairing code for this device's token (`nodeclient.pairing`: the code never crosses the
        network; over HTTPS the answer carries the branch CA to pin, in `tls`)."""
        from nodeclient.pairing import PairingError, pair

        try:
            return pair(self.base_url, code, name, timeout=max(self.timeout, 10.0))
        except PairingError as err:
            raise NodeError(err.status, err.code, err.message) from err

    def whoami(self) -> dict[str, Any]:
        return self.request("GET", "/api/v1/whoami")

    def device_setup(self) -> dict[str, Any]:
        """What this (freshly paired) device writes into its configuration: organisation, branch, keys."""
        return self.request("GET", "/api/v1/devices/me/setup")

    def retire_me(self) -> dict[str, Any]:
        """Retire this client's own token on the node (a re-paired device retires its previous one):
        {"device", "revoked"}. Every later request with it is refused (401)."""
        return self.request("DELETE", "/api/v1/devices/me")

    def report_status(self, device_id: str, status: dict[str, Any]) -> dict[str, Any]:
        """Report health; `device_id` "me" means the device this token belongs to."""
        return self.request("POST", f"/api/v1/devices/{device_id}/status", status)

    def devices(self) -> dict[str, Any]:
        return self.request("GET", "/api/v1/devices")

    def daily_metrics(self, day: str | None = None) -> dict[str, Any]:
        return self.request("GET", "/api/v1/metrics/daily" + (f"?day={day}" if day else ""))

    def ack_call(self, ticket_id: str, recalls: int, *, shown: bool = True, announced: bool = False) -> dict[str, Any]:
        """A display confirms it showed (and announced) a call."""
        return self.request("POST", "/api/v1/displays/ack",
                            {"ticket_id": ticket_id, "recalls": recalls, "shown": shown, "announced": announced})

    def events(self, last_event_id: int | None = None) -> EventStream:
        return EventStream(self, last_event_id)


def _error_code(response: requests.Response) -> str | None:
    try:
        return response.json().get("error", {}).get("code")
    except (ValueError, AttributeError):
        return None


def _decode(response: requests.Response) -> Any:
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    if response.ok:
        return body
    error = body.get("error", {}) if isinstance(body, dict) else {}
    raise NodeError(response.status_code, error.get("code", "http_error"), error.get("message", response.reason or ""),
                    error.get("details"))


class EventStream:
    """Iterate over the node's events; reconnects forever (with backoff) until `close()`.

    `last_seq` is the cursor: after any disconnect, even to another node, the stream resumes after it, so
    the consumer sees each event once, in order.
    """

    def __init__(self, client: NodeClient, last_event_id: int | None = None, read_timeout: float = 45.0,
                 on_connected: Callable[[bool], None] | None = None) -> None:
        self.client = client
        self.last_seq = last_event_id or 0
        self.read_timeout = read_timeout
        self.on_connected = on_connected
        self.connected = threading.Event()
        self._closed = threading.Event()
        self._response: requests.Response | None = None
        self._session = client.new_session()

    def close(self) -> None:
        self._closed.set()
        response = self._response
        if response is not None:
            with contextlib.suppress(AttributeError, OSError):  # unblocks a reader waiting in recv()
                response.raw._fp.fp.raw._sock.shutdown(2)  # type: ignore[union-attr]
            response.close()
        self._session.close()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def _set_connected(self, value: bool) -> None:
        if value == self.connected.is_set():
            return
        if value:
            self.connected.set()
        else:
            self.connected.clear()
        if self.on_connected is not None:
            self.on_connected(value)

    def __iter__(self) -> Iterator[ServerEvent]:
        delay = 0.2
        while not self._closed.is_set():
            try:
                for event in self._once():
                    delay = 0.2
                    yield event
            except (requests.RequestException, NodeError, OSError, AttributeError, ValueError) as err:
                if self._closed.is_set():
                    return
                log.info("event stream interrupted (%s); resuming after seq %s", err, self.last_seq)
                self.client._lost_node()
            self._set_connected(False)
            if self._closed.wait(delay):
                return
            delay = min(delay * 2, 5.0)

    def _once(self) -> Iterator[ServerEvent]:
        headers = {"Authorization": f"Bearer {self.client.token}", "Accept": "text/event-stream",
                   "Last-Event-ID": str(self.last_seq)}
        response = self._session.get(self.client.base_url + "/api/v1/events", headers=headers, stream=True,
                                     timeout=(self.client.timeout, self.read_timeout))
        self._response = response
        if not response.ok:
            _decode(response)
        self._set_connected(True)
        fields: dict[str, str] = {}
        for raw in response.iter_lines(decode_unicode=False):
            if self._closed.is_set():
                return
            line = raw.decode("utf-8", errors="replace")
            if not line:
                if "data" in fields:
                    envelope = json.loads(fields["data"])
                    if "id" not in fields:  # ephemeral (e.g. CallShown, a message for displays): no cursor
                        yield ServerEvent(0, fields.get("event", envelope.get("type", "")), envelope)
                    else:
                        seq = int(fields["id"])
                        if seq > self.last_seq:
                            self.last_seq = seq
                            yield ServerEvent(seq, fields.get("event", envelope.get("type", "")), envelope)
                fields = {}
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            fields[name] = value[1:] if value.startswith(" ") else value
        raise requests.ConnectionError("event stream ended")
