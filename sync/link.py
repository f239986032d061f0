"""The only module that imports paho-mqtt: one MQTT 5 connection with a persistent session, QoS 1, a last will.

Threads: paho runs its network thread (`loop_start`, named paho-mqtt-client-<id>). Every paho callback does nothing
but hand a small closure to `dispatch` (the branch passes `loop.call_soon_threadsafe`, central a queue's `put`),
so no state of ours is touched on paho's thread. `publish` is thread-safe in paho and only enqueues.

Reconnects: paho reconnects by itself; we set its delay before each wait to an exponential backoff with jitter
(half fixed, half random) so a hundred branches do not reconnect in the same second after a broker restart.
"""

from __future__ import annotations

import contextlib
import logging
import random
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from config.sync import BrokerFields, TlsSection
from sync.errors import LinkConfigError

log = logging.getLogger(__name__)

FAILURE = 0x80  # MQTT 5: a reason code >= 0x80 is a failure (0x10 "no matching subscribers" is not)


@dataclass(frozen=True, slots=True)
class Will:
    topic: str
    payload: bytes
    retain: bool = True


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """Everything the connection needs, resolved (password read from its file) before the link starts."""

    host: str
    port: int
    client_id: str
    keepalive_s: int
    session_expiry_s: int
    reconnect_min_s: float
    reconnect_max_s: float
    max_inflight: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: TlsSection | None = None
    will: Will | None = None
    subscriptions: tuple[tuple[str, int], ...] = ()

    @classmethod
    def from_config(cls, broker: BrokerFields, client_id: str, max_inflight: int, *, will: Will | None = None,
                    subscriptions: tuple[tuple[str, int], ...] = ()) -> LinkSettings:
        password = broker.password.get_secret_value() if broker.password is not None else None
        if broker.password_file is not None:
            try:
                with open(broker.password_file, encoding="utf-8") as handle:
                    password = handle.readline().rstrip("\r\n")
            except OSError as err:
                raise LinkConfigError(f"cannot read the broker password file {broker.password_file}: "
                                      f"{err.strerror}") from err
        return cls(broker.host, broker.port, client_id, broker.keepalive_s, broker.session_expiry_s,
                   broker.reconnect_min_s, broker.reconnect_max_s, max_inflight, broker.username, password,
                   broker.tls, will, subscriptions)


@dataclass(frozen=True, slots=True)
class Inbound:
    topic: str
    payload: bytes
    retain: bool
    response_topic: str | None = None
    correlation_data: bytes | None = None
    mid: int = 0  # for the manual acknowledgement once the message is stored (MqttLink.ack)
    qos: int = 0


class LinkHandler(Protocol):
    """What the link reports, always through `dispatch` (never on paho's thread)."""

    def link_connected(self, session_present: bool) -> None: ...

    def link_disconnected(self, reason: str) -> None: ...

    def link_message(self, message: Inbound) -> None: ...

    def link_published(self, mid: int, reason_code: int, reason: str) -> None: ...


def _tls_context(tls: TlsSection) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(cafile=tls.ca_file)
        if tls.cert_file is not None:
            context.load_cert_chain(tls.cert_file, tls.key_file)
    except (OSError, ssl.SSLError) as err:
        raise LinkConfigError(f"cannot load the TLS files: {err}") from err
    if not tls.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class MqttLink:
    """One broker connection. `start` returns at once; connecting and reconnecting happen on paho's thread."""

    def __init__(self, settings: LinkSettings, handler: LinkHandler,
                 dispatch: Callable[[Callable[[], None]], None], *, manual_ack: bool = False) -> None:
        self.settings = settings
        self.manual_ack = manual_ack
        self._handler = handler
        self._dispatch = dispatch
        self._attempt = 0
        self.connected = False
        self.max_packet_size: int | None = None  # the broker's, from its CONNACK (MQTT 5 Maximum Packet Size)
        self._stopping = False
        self._client = self._build()

    def _build(self) -> mqtt.Client:
        settings = self.settings
        # manual_ack: a message is acknowledged (PUBACK) only once the handler stored it (`ack`), so a crash between
        # receiving and storing makes the broker deliver it again instead of losing it
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=settings.client_id, protocol=mqtt.MQTTv5,
                             manual_ack=self.manual_ack)
        if settings.tls is not None:
            client.tls_set_context(_tls_context(settings.tls))
        if settings.username is not None:
            client.username_pw_set(settings.username, settings.password)
        if settings.will is not None:  # before connect: the broker stores the will with the CONNECT packet
            client.will_set(settings.will.topic, settings.will.payload, qos=1, retain=settings.will.retain)
        client.max_inflight_messages_set(settings.max_inflight)
        client.reconnect_delay_set(settings.reconnect_min_s, settings.reconnect_max_s)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_subscribe = self._on_subscribe
        return client

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        settings = self.settings
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = settings.session_expiry_s  # clean_start=False alone keeps no session in v5
        self._client.connect_async(settings.host, settings.port, keepalive=settings.keepalive_s, clean_start=False,
                                   properties=properties)
        self._client.loop_start()
        log.info("MQTT link %s connecting to %s:%s (%s)", settings.client_id, settings.host, settings.port,
                 "TLS" if settings.tls is not None else "plain TCP")

    def stop(self, final: tuple[str, bytes, bool] | None = None, timeout: float = 2.0) -> None:
        """Blocking (call it off the event loop): publish `final` (e.g. a clean "offline"), disconnect, join.

        A normal DISCONNECT makes the broker discard the will, hence the explicit final status.
        """
        if final is not None and self.connected:
            info = self._client.publish(final[0], final[1], qos=1, retain=final[2])
            try:
                info.wait_for_publish(timeout)
            except (RuntimeError, ValueError):
                log.warning("the final status could not be published before disconnecting")
        self._stopping = True
        self._client.disconnect()
        self._client.loop_stop()
        self.connected = False

    # -- publishing ------------------------------------------------------------------------------------------------

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False,
                correlation_data: bytes | None = None, response_topic: str | None = None) -> int | None:
        """Queue a message; its PUBACK comes back as `link_published(mid, ...)`. None if paho refused it outright.

        While disconnected paho still queues a QoS 1 message and sends it after reconnecting (rc NO_CONN).
        """
        properties = None
        if correlation_data is not None or response_topic is not None:
            properties = Properties(PacketTypes.PUBLISH)
            if correlation_data is not None:
                properties.CorrelationData = correlation_data
            if response_topic is not None:
                properties.ResponseTopic = response_topic
        info = self._client.publish(topic, payload, qos=qos, retain=retain, properties=properties)
        if info.rc not in (MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_NO_CONN):
            log.error("paho refused a message for %s: %s", topic, mqtt.error_string(info.rc))
            return None
        return info.mid

    # -- paho callbacks (paho's thread: hand over, touch nothing) ----------------------------------------------------

    def _hand(self, action: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError):  # the receiving loop is closed: we are shutting down
            self._dispatch(action)

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("broker refused the connection: %s", reason_code.getName())
            self._set_backoff()
            return
        self._attempt = 0
        self.connected = True
        self.max_packet_size = getattr(properties, "MaximumPacketSize", None) if properties is not None else None
        if self.settings.subscriptions:
            client.subscribe([(topic, qos) for topic, qos in self.settings.subscriptions])
        session_present = bool(flags.session_present)
        log.info("MQTT link %s connected (session present: %s)", self.settings.client_id, session_present)
        self._hand(lambda: self._handler.link_connected(session_present))

    def _on_connect_fail(self, client, userdata) -> None:
        log.warning("cannot reach the broker %s:%s", self.settings.host, self.settings.port)
        self._set_backoff()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        was = self.connected
        self.connected = False
        reason = reason_code.getName() if hasattr(reason_code, "getName") else str(reason_code)
        if was and not self._stopping:
            log.warning("MQTT link %s disconnected: %s", self.settings.client_id, reason)
        self._set_backoff()
        self._hand(lambda: self._handler.link_disconnected(reason))

    def _on_message(self, client, userdata, message) -> None:
        props = message.properties
        response_topic = getattr(props, "ResponseTopic", None) if props is not None else None
        correlation = getattr(props, "CorrelationData", None) if props is not None else None
        inbound = Inbound(message.topic, bytes(message.payload), bool(message.retain), response_topic, correlation,
                          message.mid, message.qos)
        self._hand(lambda: self._handler.link_message(inbound))

    def ack(self, message: Inbound) -> None:
        """PUBACK a message once its effect is stored (any thread: paho serialises its own writes)."""
        if self.manual_ack and message.qos > 0:
            self._client.ack(message.mid, message.qos)

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        value = reason_code.value if hasattr(reason_code, "value") else int(reason_code)
        name = reason_code.getName() if hasattr(reason_code, "getName") else str(reason_code)
        self._hand(lambda: self._handler.link_published(mid, value, name))

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        for code in reason_codes:
            if code.is_failure:
                log.error("the broker refused a subscription: %s", code.getName())

    def _set_backoff(self) -> None:
        """Exponential backoff with jitter, applied to paho's next reconnect wait."""
        self._attempt += 1
        settings = self.settings
        ceiling = min(settings.reconnect_max_s, settings.reconnect_min_s * 2 ** min(self._attempt - 1, 20))
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)
        self._client.reconnect_delay_set(delay, delay)


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One connection attempt's verdict, for doctor: "connected", "refused" (the broker answered no: `reason` is
    its CONNACK reason), "tls" (the TLS files or the handshake), "config" (a password file that cannot be read)
    or "unreachable" (nothing answered in time)."""

    kind: str
    reason: str = ""


def probe(broker: BrokerFields, timeout: float = 3.0) -> ProbeResult:
    """Connect once with a throw-away client id and a clean session (nothing is left on the broker) and disconnect.
    Blocking, bounded by `timeout` for the TCP and TLS connect and again for the CONNACK."""
    import threading
    import uuid

    try:
        settings = LinkSettings.from_config(broker, f"sq-probe-{uuid.uuid4().hex[:12]}", 1)
    except LinkConfigError as err:
        return ProbeResult("config", str(err))
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=settings.client_id, protocol=mqtt.MQTTv5)
    client.connect_timeout = timeout
    try:
        if settings.tls is not None:
            client.tls_set_context(_tls_context(settings.tls))
    except LinkConfigError as err:
        return ProbeResult("tls", str(err))
    if settings.username is not None:
        client.username_pw_set(settings.username, settings.password)
    answered = threading.Event()
    verdict: list[ProbeResult] = []

    def on_connect(client, userdata, flags, reason_code, properties) -> None:
        verdict.append(ProbeResult("refused", reason_code.getName()) if reason_code.is_failure
                       else ProbeResult("connected"))
        answered.set()

    client.on_connect = on_connect
    try:
        client.connect(settings.host, settings.port, keepalive=max(5, int(timeout) + 5), clean_start=True)
    except ssl.SSLError as err:
        return ProbeResult("tls", str(err))
    except (OSError, ValueError) as err:
        return ProbeResult("unreachable", str(err) or type(err).__name__)
    client.loop_start()
    try:
        if not answered.wait(timeout):
            return ProbeResult("unreachable", f"no CONNACK within {timeout:g} s")
        return verdict[0]
    finally:
        client.disconnect()
        client.loop_stop()
