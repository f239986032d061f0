"""ZhianTec ZFM / R30x fingerprint sensor packets: pure bytes ↔ typed packets, commands and replies.

Frame (all integers big-endian)::

    EF 01 | address (4) | packet id (1) | length (2) = len(payload) + 2 | payload | checksum (2)

checksum = (packet id + both length bytes + every payload byte) & 0xFFFF. A command packet's payload is an
instruction code and its parameters; the sensor answers with an acknowledge packet whose payload starts with a
confirmation code.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

from hardware.errors import ProtocolError

HEADER = b"\xef\x01"
DEFAULT_ADDRESS = 0xFFFFFFFF
#: Bytes before the payload: header (2), address (4), packet id (1), length (2).
PREFIX_LENGTH = 9
#: Largest length field accepted: data packets carry at most 256 bytes (ReadSysPara "data packet size" N=3).
MAX_LENGTH_FIELD = 256 + 2


class PacketId(enum.IntEnum):
    """Packet identifier field (byte 6)."""

    COMMAND = 0x01
    DATA = 0x02
    ACK = 0x07
    END_DATA = 0x08


class Instruction(enum.IntEnum):
    """Instruction codes: the first payload byte of a command packet (names after the ZFM datasheet)."""

    GEN_IMG = 0x01  # GenImg: capture a finger image into the image buffer
    IMG2TZ = 0x02  # Img2Tz: image buffer → character file in CharBuffer1/2
    MATCH = 0x03  # Match: compare CharBuffer1 with CharBuffer2
    SEARCH = 0x04  # Search: CharBuffer against the library, from a start page over N pages
    REG_MODEL = 0x05  # RegModel: merge CharBuffer1 and CharBuffer2 into a template
    STORE = 0x06  # Store: CharBuffer → library page
    LOAD_CHAR = 0x07  # LoadChar: library page → CharBuffer
    UP_CHAR = 0x08  # UpChar: CharBuffer → host, as data packets after the acknowledge
    DELETE_CHAR = 0x0C  # DeletChar: delete N templates from a page
    EMPTY = 0x0D  # Empty: delete every template
    READ_SYS_PARA = 0x0F  # ReadSysPara: the 16-byte system parameter block
    VFY_PWD = 0x13  # VfyPwd: handshake with the 4-byte password
    GET_RANDOM_CODE = 0x14  # GetRandomCode: a 32-bit random number from the sensor
    TEMPLATE_NUM = 0x1D  # TempleteNum: number of stored templates
    READ_INDEX_TABLE = 0x1F  # ReadConList: which library pages hold a template, 256 a table page


class Confirmation(enum.IntEnum):
    """Confirmation codes: the first payload byte of an acknowledge packet."""

    OK = 0x00
    RECEIVE_ERROR = 0x01
    NO_FINGER = 0x02
    ENROLL_FAIL = 0x03  # failed to collect the finger image
    IMAGE_MESSY = 0x06
    FEW_FEATURES = 0x07
    NO_MATCH = 0x08
    NOT_FOUND = 0x09
    MERGE_FAIL = 0x0A  # RegModel: the two captures are not the same finger
    BAD_PAGE = 0x0B  # page id beyond the library
    LOAD_FAIL = 0x0C
    UPLOAD_FAIL = 0x0D
    PACKET_RESPONSE_FAIL = 0x0E
    IMAGE_UPLOAD_FAIL = 0x0F
    DELETE_FAIL = 0x10
    CLEAR_FAIL = 0x11
    WRONG_PASSWORD = 0x13
    INVALID_IMAGE = 0x15
    FLASH_ERROR = 0x18
    INVALID_REGISTER = 0x1A
    BAD_ADDRESS = 0x20
    PASSWORD_REQUIRED = 0x21

    @classmethod
    def describe(cls, code: int) -> str:
        """A log-friendly name for any code, including ones not in this table."""
        try:
            return cls(code).name.lower()
        except ValueError:
            return f"unknown confirmation 0x{code:02x}"


class FrameError(ProtocolError):
    """Bytes that cannot be a packet of this protocol."""


class ChecksumError(FrameError):
    """A complete frame whose checksum field does not match its content."""


@dataclass(frozen=True, slots=True)
class Packet:
    """One frame; `payload` excludes the checksum."""

    pid: int
    payload: bytes
    address: int = DEFAULT_ADDRESS


_PACKET_IDS = frozenset(int(pid) for pid in PacketId)


def checksum(pid: int, payload: bytes) -> int:
    length = len(payload) + 2
    return (pid + (length >> 8) + (length & 0xFF) + sum(payload)) & 0xFFFF


def encode(packet: Packet) -> bytes:
    """Frame a packet."""
    length = len(packet.payload) + 2
    if length > 0xFFFF:
        raise ValueError("payload too long")
    head = HEADER + struct.pack(">IBH", packet.address, packet.pid, length)
    return head + packet.payload + struct.pack(">H", checksum(packet.pid, packet.payload))


class PacketDecoder:
    """Streaming decoder: feed bytes in any chunks, take packets out.

    Anything before a header is skipped (counted in `discarded`), and so is a header whose length field is
    impossible, so the decoder resynchronises after line noise. A complete frame with a bad checksum is consumed and
    raised as `ChecksumError`.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.discarded = 0

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def bytes_wanted(self) -> int:
        """How many more bytes can certainly be read without reading past the current frame (at least 1)."""
        self._resync()
        if len(self._buffer) < PREFIX_LENGTH:
            return PREFIX_LENGTH - len(self._buffer)
        (length,) = struct.unpack_from(">H", self._buffer, 7)
        return max(1, PREFIX_LENGTH + length - len(self._buffer))

    def _skip(self, count: int) -> None:
        del self._buffer[:count]
        self.discarded += count

    def _resync(self) -> None:
        while True:
            start = self._buffer.find(HEADER)
            if start < 0:
                # Keep a trailing 0xEF: it may be the first half of a header split across reads.
                keep = 1 if self._buffer.endswith(HEADER[:1]) else 0
                self._skip(len(self._buffer) - keep)
                return
            if start:
                self._skip(start)
            if len(self._buffer) < PREFIX_LENGTH:
                return
            (length,) = struct.unpack_from(">H", self._buffer, 7)
            if 2 < length <= MAX_LENGTH_FIELD and self._buffer[6] in _PACKET_IDS:
                return
            self._skip(1)  # not a real header: look for the next one

    def next_packet(self) -> Packet | None:
        """The next complete packet, or None if more bytes are needed. Raises ChecksumError."""
        self._resync()
        if len(self._buffer) < PREFIX_LENGTH:
            return None
        address, pid, length = struct.unpack_from(">IBH", self._buffer, 2)
        end = PREFIX_LENGTH + length
        if len(self._buffer) < end:
            return None
        payload = bytes(self._buffer[PREFIX_LENGTH : end - 2])
        (received,) = struct.unpack_from(">H", self._buffer, end - 2)
        del self._buffer[:end]
        expected = checksum(pid, payload)
        if received != expected:
            raise ChecksumError(f"checksum 0x{received:04x}, expected 0x{expected:04x} (packet id 0x{pid:02x})")
        return Packet(pid, payload, address)


def decode(data: bytes) -> Packet:
    """Decode exactly one frame (tests, tools). Raises FrameError/ChecksumError."""
    decoder = PacketDecoder()
    decoder.feed(data)
    packet = decoder.next_packet()
    if packet is None or decoder.discarded or decoder.buffered:
        raise FrameError(f"not exactly one packet: {data.hex(' ')}")
    return packet


# --- commands (host → sensor) ---------------------------------------------------------------------------------


def command(instruction: Instruction, params: bytes = b"", address: int = DEFAULT_ADDRESS) -> Packet:
    return Packet(PacketId.COMMAND, bytes([instruction]) + params, address)


def vfy_pwd(password: int) -> bytes:
    return struct.pack(">I", password)


def img2tz(buffer_id: int) -> bytes:
    return bytes([buffer_id])


def search(buffer_id: int, start_page: int, page_count: int) -> bytes:
    return struct.pack(">BHH", buffer_id, start_page, page_count)


def store(buffer_id: int, page: int) -> bytes:
    return struct.pack(">BH", buffer_id, page)


def delete_char(page: int, count: int = 1) -> bytes:
    return struct.pack(">HH", page, count)


def load_char(buffer_id: int, page: int) -> bytes:
    return struct.pack(">BH", buffer_id, page)


#: Library pages a ReadIndexTable page covers: 32 bytes of one bit each.
INDEX_PAGE_SLOTS = 256


def index_table(used: set[int], table_page: int) -> bytes:
    """The 32 bytes ReadIndexTable answers for ``table_page``: bit b of byte i is slot 256·page + 8·i + b."""
    table = bytearray(INDEX_PAGE_SLOTS // 8)
    for slot in used:
        offset = slot - table_page * INDEX_PAGE_SLOTS
        if 0 <= offset < INDEX_PAGE_SLOTS:
            table[offset // 8] |= 1 << (offset % 8)
    return bytes(table)


def parse_index_table(ack: Ack, table_page: int) -> set[int]:
    """Used slots from a ReadIndexTable reply."""
    _need(ack, INDEX_PAGE_SLOTS // 8, "ReadIndexTable")
    return {table_page * INDEX_PAGE_SLOTS + 8 * i + bit
            for i, byte in enumerate(ack.data[: INDEX_PAGE_SLOTS // 8]) for bit in range(8) if byte >> bit & 1}


def parse_match(ack: Ack) -> int:
    """Match reply data: the score (2)."""
    _need(ack, 2, "Match")
    return struct.unpack_from(">H", ack.data)[0]


def parse_random(ack: Ack) -> int:
    """GetRandomCode reply data: the number (4)."""
    _need(ack, 4, "GetRandomCode")
    return struct.unpack_from(">I", ack.data)[0]


# --- replies (sensor → host) ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ack:
    """An acknowledge packet: confirmation code and the data after it."""

    code: int
    data: bytes = b""

    def to_packet(self, address: int = DEFAULT_ADDRESS) -> Packet:
        return Packet(PacketId.ACK, bytes([self.code]) + self.data, address)


def parse_ack(packet: Packet) -> Ack:
    if packet.pid != PacketId.ACK or not packet.payload:
        raise FrameError(f"expected an acknowledge packet, got id 0x{packet.pid:02x} with {len(packet.payload)} bytes")
    return Ack(packet.payload[0], packet.payload[1:])


def _need(ack: Ack, size: int, what: str) -> None:
    if len(ack.data) < size:
        raise FrameError(f"{what} reply has {len(ack.data)} data bytes, expected {size}")


def parse_search(ack: Ack) -> tuple[int, int]:
    """Search reply data: page id (2), match score (2)."""
    _need(ack, 4, "Search")
    page, score = struct.unpack_from(">HH", ack.data)
    return page, score


def parse_template_count(ack: Ack) -> int:
    """TempleteNum reply data: template count (2)."""
    _need(ack, 2, "TempleteNum")
    return struct.unpack_from(">H", ack.data)[0]


@dataclass(frozen=True, slots=True)
class SystemParameters:
    """ReadSysPara's 16-byte block."""

    status_register: int
    system_id: int
    library_size: int  # template capacity (pages)
    security_level: int  # 1..5
    address: int
    packet_size_code: int  # data packet size = 32 << code bytes
    baud_multiplier: int  # baud rate = 9600 * N

    @property
    def baudrate(self) -> int:
        return 9600 * self.baud_multiplier

    def encode(self) -> bytes:
        return struct.pack(
            ">HHHHIHH", self.status_register, self.system_id, self.library_size, self.security_level,
            self.address, self.packet_size_code, self.baud_multiplier,
        )


def parse_system_parameters(ack: Ack) -> SystemParameters:
    _need(ack, 16, "ReadSysPara")
    return SystemParameters(*struct.unpack_from(">HHHHIHH", ack.data))
