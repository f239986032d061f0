"""FingerprintReader: the R30x command set over a byte transport, with deadlines, a lock and a state.

Every reply is awaited with a deadline (`timeout_s`, 1 s by default): a silent sensor raises DeviceTimeout after
that long, never the 18 s pyfingerprint takes. Transport errors, timeouts and garbled replies are also reflected in
`state`, which the keypad binds to.
"""

from __future__ import annotations

import enum
import logging
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from config.fingerprint import FingerprintConfig
from hardware.errors import DeviceTimeout, HardwareError, ProtocolError, TransportError
from hardware.fingerprint import codec
from hardware.fingerprint.codec import Ack, Confirmation, Instruction, SystemParameters
from hardware.transport import SerialTransport, Transport

log = logging.getLogger(__name__)

CHAR_BUFFER_1 = 0x01
CHAR_BUFFER_2 = 0x02


class SensorError(HardwareError):
    """The sensor answered with a confirmation code the operation cannot go on with."""

    def __init__(self, instruction: Instruction, code: int) -> None:
        super().__init__(f"{instruction.name.lower()}: {Confirmation.describe(code)}")
        self.instruction = instruction
        self.code = code


class WrongPasswordError(SensorError):
    """VfyPwd refused the configured password."""


class EnrollError(SensorError):
    """Enrolment failed: the two captures did not merge (different fingers) or could not be stored."""


class FingerprintState(enum.Enum):
    """Reader state for the keypad (words come from a table keyed by state)."""

    CLOSED = "closed"
    OPERATIONAL = "operational"
    NOT_RESPONDING = "not_responding"  # a reply missed its deadline
    DISCONNECTED = "disconnected"  # the port cannot be opened or vanished
    PROTOCOL_ERROR = "protocol_error"  # garbled replies
    WRONG_PASSWORD = "wrong_password"


OPERATIONAL_STATES = frozenset({FingerprintState.OPERATIONAL})
ERROR_STATES = frozenset(set(FingerprintState) - {FingerprintState.OPERATIONAL, FingerprintState.CLOSED})


@dataclass(frozen=True, slots=True)
class Match:
    slot: int
    score: int


@dataclass(frozen=True, slots=True)
class NoMatch:
    """A finger was read but is not in the library (or matched below the minimum score)."""


@dataclass(frozen=True, slots=True)
class NoFinger:
    """No usable finger image before the deadline."""


Identification = Match | NoMatch | NoFinger


class EnrollStep(enum.Enum):
    """Prompts the keypad shows during enrolment."""

    PLACE_FINGER = "place_finger"
    REMOVE_FINGER = "remove_finger"
    PLACE_AGAIN = "place_again"
    STORED = "stored"


class FingerprintReader:
    """One sensor. Thread-safe: every public method holds the reader's lock for its whole exchange."""

    def __init__(
        self,
        transport: Transport,
        *,
        address: int = codec.DEFAULT_ADDRESS,
        password: int = 0,
        timeout_s: float = 1.0,
        min_score: int = 0,
        poll_s: float = 0.05,
        on_state: Callable[[FingerprintState], None] | None = None,
    ) -> None:
        self._transport = transport
        self._address = address
        self._password = password
        self._timeout_s = timeout_s
        self._min_score = min_score
        self._poll_s = poll_s
        self._on_state = on_state
        self._lock = threading.RLock()
        self._state = FingerprintState.CLOSED
        self._params: SystemParameters | None = None

    @classmethod
    def from_config(cls, config: FingerprintConfig, port: str | None = None, **kwargs: object) -> FingerprintReader:
        """A reader on the configured serial port (or `port`, e.g. a simulator's pty)."""
        transport = SerialTransport(port or config.port, config.baudrate, timeout=config.timeout_s)
        return cls(
            transport, address=config.address, password=config.password, timeout_s=config.timeout_s,
            min_score=config.min_score, **kwargs,  # type: ignore[arg-type]
        )

    @property
    def state(self) -> FingerprintState:
        return self._state

    @property
    def capacity(self) -> int:
        """Library size in templates (read at open)."""
        if self._params is None:
            raise TransportError("fingerprint reader is not open")
        return self._params.library_size

    # --- lifecycle ---

    def open(self) -> None:
        """Open the port, verify the password and read the system parameters."""
        with self._lock:
            try:
                self._transport.open()
            except HardwareError:
                self._set_state(FingerprintState.DISCONNECTED)
                raise
            self.verify_password()
            self._params = self.system_parameters()

    def close(self) -> None:
        with self._lock:
            self._transport.close()
            self._params = None
            self._set_state(FingerprintState.CLOSED)

    def __enter__(self) -> FingerprintReader:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _set_state(self, state: FingerprintState) -> None:
        if state is self._state:
            return
        self._state = state
        log.info("fingerprint reader: %s", state.value)
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:
                log.exception("fingerprint state callback failed")

    # --- one exchange ---

    def _exchange(self, instruction: Instruction, params: bytes = b"") -> Ack:
        """Send one command and return its acknowledge, within the deadline."""
        with self._lock:
            try:
                try:
                    # A late reply to an earlier, timed-out command must not be taken for this one's.
                    self._transport.reset_input()
                    self._transport.write(codec.encode(codec.command(instruction, params, self._address)))
                    ack = codec.parse_ack(self._read_packet(instruction))
                except termios.error as err:
                    # pyserial's flush (tcflush) on a vanished port raises termios.error, not an OSError.
                    raise TransportError(f"{instruction.name.lower()}: port lost: {err}") from err
            except DeviceTimeout:
                self._set_state(FingerprintState.NOT_RESPONDING)
                raise
            except TransportError:
                self._set_state(FingerprintState.DISCONNECTED)
                raise
            except ProtocolError:
                self._set_state(FingerprintState.PROTOCOL_ERROR)
                raise
            self._set_state(FingerprintState.OPERATIONAL)
            return ack

    def _read_packet(self, instruction: Instruction) -> codec.Packet:
        decoder = codec.PacketDecoder()
        deadline = time.monotonic() + self._timeout_s
        while True:
            packet = decoder.next_packet()
            if packet is not None:
                if packet.address != self._address:
                    raise ProtocolError(f"{instruction.name.lower()}: reply from address 0x{packet.address:08x}")
                return packet
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            decoder.feed(self._transport.read(decoder.bytes_wanted(), remaining))
        if decoder.buffered or decoder.discarded:
            raise ProtocolError(
                f"{instruction.name.lower()}: no valid reply within {self._timeout_s:.1f} s "
                f"({decoder.discarded} bytes of garbage, {decoder.buffered} of an incomplete packet)"
            )
        raise DeviceTimeout(f"{instruction.name.lower()}: no reply within {self._timeout_s:.1f} s")

    def _expect_ok(self, instruction: Instruction, params: bytes = b"", error: type[SensorError] = SensorError) -> Ack:
        ack = self._exchange(instruction, params)
        if ack.code != Confirmation.OK:
            raise error(instruction, ack.code)
        return ack

    # --- commands ---

    def verify_password(self) -> None:
        """VfyPwd handshake. Raises WrongPasswordError."""
        with self._lock:
            ack = self._exchange(Instruction.VFY_PWD, codec.vfy_pwd(self._password))
            if ack.code == Confirmation.WRONG_PASSWORD:
                self._set_state(FingerprintState.WRONG_PASSWORD)
                raise WrongPasswordError(Instruction.VFY_PWD, ack.code)
            if ack.code != Confirmation.OK:
                raise SensorError(Instruction.VFY_PWD, ack.code)

    def system_parameters(self) -> SystemParameters:
        return codec.parse_system_parameters(self._expect_ok(Instruction.READ_SYS_PARA))

    def template_count(self) -> int:
        return codec.parse_template_count(self._expect_ok(Instruction.TEMPLATE_NUM))

    def finger_present(self) -> bool:
        """One GenImg: True when a finger image was captured into the image buffer."""
        ack = self._exchange(Instruction.GEN_IMG)
        if ack.code in (Confirmation.NO_FINGER, Confirmation.ENROLL_FAIL):
            return False
        if ack.code != Confirmation.OK:
            raise SensorError(Instruction.GEN_IMG, ack.code)
        return True

    def wait_finger(self, wait_s: float) -> bool:
        """Poll GenImg until a finger is imaged (True) or `wait_s` passes (False); 0 means one attempt."""
        deadline = time.monotonic() + wait_s
        with self._lock:
            while True:
                if self.finger_present():
                    return True
                if time.monotonic() + self._poll_s > deadline:
                    return False
                time.sleep(self._poll_s)

    def wait_finger_removed(self, wait_s: float) -> bool:
        deadline = time.monotonic() + wait_s
        with self._lock:
            while self.finger_present():
                if time.monotonic() + self._poll_s > deadline:
                    return False
                time.sleep(self._poll_s)
            return True

    def capture(self, buffer_id: int = CHAR_BUFFER_1, wait_s: float = 0.0) -> bool:
        """Image a finger and extract its features into a CharBuffer (GenImg then Img2Tz).

        A smudged or partial image (0x06, 0x07, 0x15) is retried until `wait_s` passes. False: no usable finger.
        """
        deadline = time.monotonic() + wait_s
        with self._lock:
            while True:
                if self.wait_finger(max(0.0, deadline - time.monotonic())):
                    ack = self._exchange(Instruction.IMG2TZ, codec.img2tz(buffer_id))
                    if ack.code == Confirmation.OK:
                        return True
                    if ack.code not in (Confirmation.IMAGE_MESSY, Confirmation.FEW_FEATURES,
                                        Confirmation.INVALID_IMAGE):
                        raise SensorError(Instruction.IMG2TZ, ack.code)
                    log.info("fingerprint: unusable image (%s), retrying", Confirmation.describe(ack.code))
                if time.monotonic() + self._poll_s > deadline:
                    return False
                time.sleep(self._poll_s)

    def identify(self, wait_s: float = 0.0) -> Identification:
        """Capture a finger and search the whole library for it."""
        with self._lock:
            if not self.capture(CHAR_BUFFER_1, wait_s):
                return NoFinger()
            ack = self._exchange(Instruction.SEARCH, codec.search(CHAR_BUFFER_1, 0, self.capacity))
            if ack.code == Confirmation.NOT_FOUND:
                return NoMatch()
            if ack.code != Confirmation.OK:
                raise SensorError(Instruction.SEARCH, ack.code)
            slot, score = codec.parse_search(ack)
            if score < self._min_score:
                log.info("fingerprint: slot %d matched with score %d < %d, refused", slot, score, self._min_score)
                return NoMatch()
            return Match(slot, score)

    def _check_slot(self, slot: int) -> None:
        if not 0 <= slot < self.capacity:
            raise ValueError(f"slot {slot} outside the sensor's library 0..{self.capacity - 1}")

    def enroll(
        self, slot: int, wait_s: float = 10.0, on_step: Callable[[EnrollStep], None] | None = None
    ) -> bool:
        """Enrol a finger into `slot`: two captures, RegModel, Store. False if no finger came in time.

        Raises EnrollError when the captures do not merge or the template cannot be stored.
        """
        step = on_step or (lambda _step: None)
        with self._lock:
            self._check_slot(slot)
            step(EnrollStep.PLACE_FINGER)
            if not self.capture(CHAR_BUFFER_1, wait_s):
                return False
            step(EnrollStep.REMOVE_FINGER)
            if not self.wait_finger_removed(wait_s):
                return False
            step(EnrollStep.PLACE_AGAIN)
            if not self.capture(CHAR_BUFFER_2, wait_s):
                return False
            self._expect_ok(Instruction.REG_MODEL, error=EnrollError)
            self._expect_ok(Instruction.STORE, codec.store(CHAR_BUFFER_1, slot), error=EnrollError)
            step(EnrollStep.STORED)
            log.info("fingerprint: template stored in slot %d", slot)
            return True

    def delete(self, slot: int) -> None:
        """DeletChar one template."""
        with self._lock:
            self._check_slot(slot)
            self._expect_ok(Instruction.DELETE_CHAR, codec.delete_char(slot, 1))

    def clear(self) -> None:
        """Empty: delete every template on the sensor."""
        self._expect_ok(Instruction.EMPTY)
