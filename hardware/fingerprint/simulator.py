"""A ZFM / R30x sensor simulator on a pseudo-terminal, speaking the same packets as the real module.

It holds a small template library keyed by page; "templates" are finger ids, so a finger matches the pages it was
enrolled into. Which finger lies on the glass is set from code or the CLI: none, a known finger id, or one never
enrolled. Fault switches: bad checksums, garbage before replies, truncated replies, silence, slow replies, smudged
images, and the port vanishing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import select
import threading
import tty
from dataclasses import dataclass, field
from pathlib import Path

from hardware.errors import ProtocolError
from hardware.fingerprint import codec
from hardware.fingerprint.codec import Ack, Confirmation, Instruction, PacketId, SystemParameters

log = logging.getLogger(__name__)

#: A finger id the library never holds: "an unknown finger".
UNKNOWN_FINGER = 9999


@dataclass
class SensorFaults:
    """Fault switches; change them at any time, they apply to the next reply."""

    silent: bool = False
    bad_checksum: bool = False
    garbage: bytes = b""  # sent before each reply
    truncate: bool = False  # send only the first half of each reply
    reply_delay_s: float = 0.0
    messy_images: int = 0  # the next N Img2Tz answer 0x06 (smudged image)


@dataclass
class SensorModel:
    """The sensor's memory: what the instructions read and write."""

    library_size: int = 200
    password: int = 0
    address: int = codec.DEFAULT_ADDRESS
    finger: int | None = None  # finger currently on the glass
    auto_lift: bool = False  # after each image, the next GenImg sees no finger (lifted and put back)
    match_score: int | None = None  # fixed Search score; default depends on the finger
    library: dict[int, int] = field(default_factory=dict)  # page → finger id
    image: int | None = None
    char_buffers: dict[int, int | None] = field(default_factory=lambda: {1: None, 2: None})
    template: int | None = None  # RegModel's result, stored by Store from CharBuffer1
    packet_size: int = 128  # data packet payload, as ReadSysPara reports (code 2)
    random: random.Random = field(default_factory=lambda: random.Random(0x5EED))
    #: Data packets queued by the last instruction (UpChar), sent after its acknowledge.
    data_out: list[codec.Packet] = field(default_factory=list)
    _lifted: bool = False

    def handle(self, packet: codec.Packet, faults: SensorFaults) -> Ack:
        """Apply one command packet; the acknowledge to send back."""
        if packet.pid != PacketId.COMMAND or not packet.payload:
            return Ack(Confirmation.RECEIVE_ERROR)
        instruction, params = packet.payload[0], packet.payload[1:]
        handler = _HANDLERS.get(instruction)
        if handler is None:
            return Ack(Confirmation.RECEIVE_ERROR)
        try:
            return handler(self, params, faults)
        except (IndexError, ValueError):
            return Ack(Confirmation.RECEIVE_ERROR)

    def _vfy_pwd(self, params: bytes, faults: SensorFaults) -> Ack:
        password = int.from_bytes(params[:4], "big") if len(params) >= 4 else -1
        return Ack(Confirmation.OK if password == self.password else Confirmation.WRONG_PASSWORD)

    def _gen_img(self, params: bytes, faults: SensorFaults) -> Ack:
        if self.finger is None or self._lifted:
            self._lifted = False
            return Ack(Confirmation.NO_FINGER)
        self.image = self.finger
        self._lifted = self.auto_lift
        return Ack(Confirmation.OK)

    def _img2tz(self, params: bytes, faults: SensorFaults) -> Ack:
        buffer_id = params[0]
        if buffer_id not in self.char_buffers:
            return Ack(Confirmation.RECEIVE_ERROR)
        if faults.messy_images > 0:
            faults.messy_images -= 1
            return Ack(Confirmation.IMAGE_MESSY)
        if self.image is None:
            return Ack(Confirmation.INVALID_IMAGE)
        self.char_buffers[buffer_id] = self.image
        if buffer_id == 1:
            self.template = None  # CharBuffer1 now holds the new capture, not the last merged template
        return Ack(Confirmation.OK)

    def _search(self, params: bytes, faults: SensorFaults) -> Ack:
        buffer_id, start, count = params[0], int.from_bytes(params[1:3], "big"), int.from_bytes(params[3:5], "big")
        finger = self.char_buffers.get(buffer_id)
        for page in sorted(self.library):
            if start <= page < start + count and self.library[page] == finger:
                score = self.match_score if self.match_score is not None else 100 + (finger * 37) % 150
                return Ack(Confirmation.OK, page.to_bytes(2, "big") + score.to_bytes(2, "big"))
        return Ack(Confirmation.NOT_FOUND, bytes(4))

    def _match(self, params: bytes, faults: SensorFaults) -> Ack:
        """Match: CharBuffer1 against CharBuffer2 (RegModel's merged template counts as CharBuffer1)."""
        first = self.template if self.template is not None else self.char_buffers[1]
        second = self.char_buffers[2]
        if first is None or second is None or first != second:
            return Ack(Confirmation.NO_MATCH, bytes(2))
        score = self.match_score if self.match_score is not None else 100 + (first * 37) % 150
        return Ack(Confirmation.OK, score.to_bytes(2, "big"))

    def _load_char(self, params: bytes, faults: SensorFaults) -> Ack:
        buffer_id, page = params[0], int.from_bytes(params[1:3], "big")
        if buffer_id not in self.char_buffers:
            return Ack(Confirmation.RECEIVE_ERROR)
        if page >= self.library_size:
            return Ack(Confirmation.BAD_PAGE)
        if page not in self.library:
            return Ack(Confirmation.LOAD_FAIL)  # nothing stored there
        self.char_buffers[buffer_id] = self.library[page]
        if buffer_id == 1:
            self.template = None  # the buffer now holds the loaded template
        return Ack(Confirmation.OK)

    def _up_char(self, params: bytes, faults: SensorFaults) -> Ack:
        """UpChar: acknowledge, then the 512-byte character file in data packets (the last one END_DATA)."""
        buffer_id = params[0]
        finger = self.template if buffer_id == 1 and self.template is not None else self.char_buffers.get(buffer_id)
        if finger is None:
            return Ack(Confirmation.UPLOAD_FAIL)
        data = characteristics(finger)
        chunks = [data[i:i + self.packet_size] for i in range(0, len(data), self.packet_size)]
        self.data_out = [codec.Packet(PacketId.END_DATA if i == len(chunks) - 1 else PacketId.DATA, chunk,
                                      self.address) for i, chunk in enumerate(chunks)]
        return Ack(Confirmation.OK)

    def _get_random_code(self, params: bytes, faults: SensorFaults) -> Ack:
        return Ack(Confirmation.OK, self.random.getrandbits(32).to_bytes(4, "big"))

    def _read_index_table(self, params: bytes, faults: SensorFaults) -> Ack:
        table_page = params[0]
        if table_page > 3:
            return Ack(Confirmation.RECEIVE_ERROR)
        return Ack(Confirmation.OK, codec.index_table(set(self.library), table_page))

    def _reg_model(self, params: bytes, faults: SensorFaults) -> Ack:
        first, second = self.char_buffers[1], self.char_buffers[2]
        if first is None or first != second:
            return Ack(Confirmation.MERGE_FAIL)
        self.template = first
        return Ack(Confirmation.OK)

    def _store(self, params: bytes, faults: SensorFaults) -> Ack:
        buffer_id, page = params[0], int.from_bytes(params[1:3], "big")
        if page >= self.library_size:
            return Ack(Confirmation.BAD_PAGE)
        # On the module Store writes CharBuffer1 (holding RegModel's merged template) to flash.
        finger = self.template if buffer_id == 1 and self.template is not None else self.char_buffers.get(buffer_id)
        if finger is None:
            return Ack(Confirmation.FLASH_ERROR)
        self.library[page] = finger
        return Ack(Confirmation.OK)

    def _delete_char(self, params: bytes, faults: SensorFaults) -> Ack:
        page, count = int.from_bytes(params[0:2], "big"), int.from_bytes(params[2:4], "big")
        if page + count > self.library_size:
            return Ack(Confirmation.BAD_PAGE)
        for slot in range(page, page + count):
            self.library.pop(slot, None)
        return Ack(Confirmation.OK)

    def _empty(self, params: bytes, faults: SensorFaults) -> Ack:
        self.library.clear()
        return Ack(Confirmation.OK)

    def _template_num(self, params: bytes, faults: SensorFaults) -> Ack:
        return Ack(Confirmation.OK, len(self.library).to_bytes(2, "big"))

    def _read_sys_para(self, params: bytes, faults: SensorFaults) -> Ack:
        block = SystemParameters(0, 0x0009, self.library_size, 3, self.address, 2, 6)
        return Ack(Confirmation.OK, block.encode())


_HANDLERS = {
    Instruction.VFY_PWD: SensorModel._vfy_pwd,
    Instruction.GEN_IMG: SensorModel._gen_img,
    Instruction.IMG2TZ: SensorModel._img2tz,
    Instruction.SEARCH: SensorModel._search,
    Instruction.REG_MODEL: SensorModel._reg_model,
    Instruction.STORE: SensorModel._store,
    Instruction.DELETE_CHAR: SensorModel._delete_char,
    Instruction.EMPTY: SensorModel._empty,
    Instruction.TEMPLATE_NUM: SensorModel._template_num,
    Instruction.READ_SYS_PARA: SensorModel._read_sys_para,
    Instruction.MATCH: SensorModel._match,
    Instruction.LOAD_CHAR: SensorModel._load_char,
    Instruction.UP_CHAR: SensorModel._up_char,
    Instruction.GET_RANDOM_CODE: SensorModel._get_random_code,
    Instruction.READ_INDEX_TABLE: SensorModel._read_index_table,
}


def characteristics(finger: int) -> bytes:
    """The 512-byte character file the simulated sensor holds for a finger: stable, different per finger."""
    return b"".join(hashlib.sha512(f"finger {finger} part {i}".encode()).digest() for i in range(8))


class FingerprintSimulator:
    """Serves `model` on a pty from a worker thread. `port` is the path to open; `close()` stops and joins."""

    def __init__(self, model: SensorModel | None = None, *, link: Path | None = None) -> None:
        self.model = model or SensorModel()
        self.faults = SensorFaults()
        self.commands_seen = 0
        self._link = link
        self._master: int | None = None
        self._slave: int | None = None
        self._slave_path = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._model_lock = threading.Lock()

    @property
    def port(self) -> str:
        return str(self._link) if self._link is not None else self._slave_path

    def place_finger(self, finger: int | None) -> None:
        """Put a finger on the glass (None: lift it)."""
        with self._model_lock:
            self.model.finger = finger

    def enroll_directly(self, page: int, finger: int) -> None:
        """Seed the library as if `finger` had been enrolled into `page`."""
        with self._model_lock:
            self.model.library[page] = finger

    def open(self) -> FingerprintSimulator:
        if self._thread is not None:
            return self
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self._slave_path = os.ttyname(self._slave)
        if self._link is not None:
            self._link.unlink(missing_ok=True)
            self._link.symlink_to(self._slave_path)
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name=f"fingerprint-sim {self.port}")
        self._thread.start()
        log.info("fingerprint simulator on %s", self.port)
        return self

    def close(self) -> None:
        """Stop serving and remove the pty: a driver still attached sees the port vanish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None
        if self._link is not None:
            self._link.unlink(missing_ok=True)

    vanish = close

    def __enter__(self) -> FingerprintSimulator:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        assert self._master is not None
        master = self._master
        decoder = codec.PacketDecoder()
        while not self._stop.is_set():
            readable, _, _ = select.select([master], [], [], 0.05)
            if not readable:
                continue
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            decoder.feed(data)
            while True:
                try:
                    packet = decoder.next_packet()
                except ProtocolError as err:
                    log.info("fingerprint simulator: %s", err)
                    self._reply(master, Ack(Confirmation.RECEIVE_ERROR))
                    continue
                if packet is None:
                    break
                if packet.address != self.model.address:
                    # A module takes only packets for its own address and says nothing to the others (several
                    # modules may share a line): a host set to the wrong address hears silence, not a reply.
                    log.info("fingerprint simulator: packet for 0x%08x ignored", packet.address)
                    continue
                self.commands_seen += 1
                with self._model_lock:
                    ack = self.model.handle(packet, self.faults)
                    data_out, self.model.data_out = self.model.data_out, []
                self._reply(master, ack)
                for data_packet in data_out:
                    self._send(master, codec.encode(data_packet))

    def _reply(self, master: int, ack: Ack) -> None:
        faults = self.faults
        if faults.silent:
            return
        if faults.reply_delay_s and self._stop.wait(faults.reply_delay_s):
            return
        frame = codec.encode(ack.to_packet(self.model.address))
        if faults.bad_checksum:
            frame = frame[:-1] + bytes([frame[-1] ^ 0xFF])
        if faults.truncate:
            frame = frame[: len(frame) // 2]
        self._send(master, faults.garbage + frame)

    @staticmethod
    def _send(master: int, data: bytes) -> None:
        try:
            os.write(master, data)
        except OSError as err:
            log.info("fingerprint simulator: write failed: %s", err)

