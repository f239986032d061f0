"""R30x packet codec: golden frames, streaming resynchronisation, typed errors."""

from __future__ import annotations

import pytest

from hardware.errors import ProtocolError
from hardware.fingerprint import codec
from hardware.fingerprint.codec import (
    Ack,
    ChecksumError,
    Confirmation,
    FrameError,
    Instruction,
    Packet,
    PacketDecoder,
    PacketId,
)

# Frames as listed in ZFM datasheets and seen on the wire; checksums worked out by hand.
GOLDEN = [
    (codec.command(Instruction.VFY_PWD, codec.vfy_pwd(0)), "ef01 ffffffff 01 0007 13 00000000 001b"),
    (codec.command(Instruction.GEN_IMG), "ef01 ffffffff 01 0003 01 0005"),
    (codec.command(Instruction.IMG2TZ, codec.img2tz(1)), "ef01 ffffffff 01 0004 02 01 0008"),
    (codec.command(Instruction.SEARCH, codec.search(1, 0, 0x00A3)), "ef01 ffffffff 01 0008 04 01 0000 00a3 00b1"),
    (codec.command(Instruction.REG_MODEL), "ef01 ffffffff 01 0003 05 0009"),
    (codec.command(Instruction.STORE, codec.store(1, 3)), "ef01 ffffffff 01 0006 06 01 0003 0011"),
    (codec.command(Instruction.DELETE_CHAR, codec.delete_char(3, 1)), "ef01 ffffffff 01 0007 0c 0003 0001 0018"),
    (codec.command(Instruction.EMPTY), "ef01 ffffffff 01 0003 0d 0011"),
    (codec.command(Instruction.READ_SYS_PARA), "ef01 ffffffff 01 0003 0f 0013"),
    (codec.command(Instruction.TEMPLATE_NUM), "ef01 ffffffff 01 0003 1d 0021"),
    (Ack(Confirmation.OK).to_packet(), "ef01 ffffffff 07 0003 00 000a"),
    (Ack(Confirmation.NO_FINGER).to_packet(), "ef01 ffffffff 07 0003 02 000c"),
    (Ack(Confirmation.OK, bytes.fromhex("0005 0064")).to_packet(), "ef01 ffffffff 07 0007 00 0005 0064 0077"),
    (Packet(PacketId.COMMAND, bytes([0x1D]), address=0x12345678), "ef01 12345678 01 0003 1d 0021"),
    # The largest data packet: 256 payload bytes, checksum 0x02 + 0x01 + 0x02 + 256 × 0xFF.
    (Packet(PacketId.DATA, b"\xff" * 256), "ef01 ffffffff 02 0102 " + "ff" * 256 + "ff05"),
]


@pytest.mark.parametrize(("packet", "wire"), GOLDEN, ids=[w[:40] for _, w in GOLDEN])
def test_golden_frames(packet: Packet, wire: str) -> None:
    data = bytes.fromhex(wire.replace(" ", ""))
    assert codec.encode(packet) == data
    assert codec.decode(data) == packet


def test_data_packet_over_the_largest_size_is_not_a_header() -> None:
    decoder = PacketDecoder()
    decoder.feed(bytes.fromhex("ef01ffffffff02ffff") + b"\x00" * 20)
    assert decoder.next_packet() is None
    assert decoder.buffered < 9


def wire(hex_text: str) -> bytes:
    return bytes.fromhex(hex_text.replace(" ", ""))


OK = wire("ef01 ffffffff 07 0003 00 000a")
NO_FINGER = wire("ef01 ffffffff 07 0003 02 000c")


@pytest.mark.parametrize(
    ("stream", "expected", "discarded"),
    [
        (OK, [OK], 0),
        (b"\x00\x13garbage" + OK, [OK], 9),
        (b"\xef\xef\x01" + OK, [OK], 3),  # a lone 0xEF before the header
        (wire("ef01 ffffffff 05 0003 00") + OK, [OK], 10),  # unknown packet id: false header skipped
        (wire("ef01 ffffffff 07 0000") + OK, [OK], 9),  # impossible length: false header skipped
        (OK + NO_FINGER, [OK, NO_FINGER], 0),
        (OK[:5], [], 0),  # truncated: waits for more
    ],
)
def test_stream_resynchronises(stream: bytes, expected: list[bytes], discarded: int) -> None:
    for chunk_size in (1, 3, len(stream)):
        decoder = PacketDecoder()
        got = []
        for start in range(0, len(stream), chunk_size):
            decoder.feed(stream[start : start + chunk_size])
            while (packet := decoder.next_packet()) is not None:
                got.append(codec.encode(packet))
        assert got == expected, chunk_size
        assert decoder.discarded == discarded


def test_bad_checksum_is_a_typed_error_and_the_stream_goes_on() -> None:
    decoder = PacketDecoder()
    decoder.feed(OK[:-1] + b"\x0b" + NO_FINGER)
    with pytest.raises(ChecksumError) as caught:
        decoder.next_packet()
    assert isinstance(caught.value, ProtocolError)
    assert codec.encode(decoder.next_packet()) == NO_FINGER  # type: ignore[arg-type]


def test_bytes_wanted_never_reads_past_the_frame() -> None:
    decoder = PacketDecoder()
    assert decoder.bytes_wanted() == 9
    decoder.feed(OK[:4])
    assert decoder.bytes_wanted() == 5
    decoder.feed(OK[4:9])
    assert decoder.bytes_wanted() == 3
    decoder.feed(OK[9:])
    assert decoder.next_packet() is not None


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00" * 12, OK + OK, b"x" + OK, OK[:-2]],
)
def test_decode_one_frame_rejects_anything_else(data: bytes) -> None:
    with pytest.raises(FrameError):
        codec.decode(data)


def test_reply_parsers() -> None:
    assert codec.parse_ack(codec.decode(OK)) == Ack(0)
    assert codec.parse_search(Ack(0, wire("0005 0064"))) == (5, 100)
    assert codec.parse_template_count(Ack(0, wire("0011"))) == 17
    params = codec.SystemParameters(0, 9, 200, 3, 0xFFFFFFFF, 2, 6)
    assert codec.parse_system_parameters(Ack(0, params.encode())) == params
    assert params.baudrate == 57600
    with pytest.raises(FrameError):
        codec.parse_search(Ack(0, b"\x00"))
    with pytest.raises(FrameError):
        codec.parse_ack(codec.decode(codec.encode(codec.command(Instruction.GEN_IMG))))


def test_confirmation_names() -> None:
    assert Confirmation.describe(0x09) == "not_found"
    assert Confirmation.describe(0xEE) == "unknown confirmation 0xee"


def test_index_table_bits_round_trip() -> None:
    from hardware.fingerprint.codec import Ack, index_table, parse_index_table

    used = {0, 7, 8, 255, 256, 300}
    page0 = index_table(used, 0)
    assert len(page0) == 32 and page0[0] == 0b1000_0001 and page0[1] == 0b1 and page0[31] == 0x80
    assert parse_index_table(Ack(0, page0), 0) == {0, 7, 8, 255}
    assert parse_index_table(Ack(0, index_table(used, 1)), 1) == {256, 300}
