"""FingerprintReader against the simulator over a real pty pair: commands, results, faults, deadlines."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from config.fingerprint import FingerprintConfig
from hardware.errors import DeviceTimeout, HardwareError, ProtocolError, TransportError
from hardware.fingerprint.codec import ChecksumError, Confirmation
from hardware.fingerprint.device import (
    EnrollError,
    EnrollStep,
    FingerprintReader,
    FingerprintState,
    Match,
    NoFinger,
    NoMatch,
    SensorError,
    WrongPasswordError,
)
from hardware.fingerprint.simulator import UNKNOWN_FINGER, FingerprintSimulator, SensorModel

AGENT_FINGER = 7


@pytest.fixture
def sim() -> Iterator[FingerprintSimulator]:
    simulator = FingerprintSimulator(SensorModel(library_size=50, password=0x1234))
    simulator.enroll_directly(4, AGENT_FINGER)
    with simulator:
        yield simulator


def make_reader(sim: FingerprintSimulator, **overrides: object) -> FingerprintReader:
    settings: dict[str, object] = {"enabled": True, "password": 0x1234, "timeout_s": 0.3, **overrides}
    config = FingerprintConfig(**settings)  # type: ignore[arg-type]
    return FingerprintReader.from_config(config, port=sim.port, poll_s=0.01)


@pytest.fixture
def reader(sim: FingerprintSimulator) -> Iterator[FingerprintReader]:
    with make_reader(sim, min_score=0) as device:
        yield device


def test_open_handshakes_and_reads_parameters(reader: FingerprintReader) -> None:
    assert reader.state is FingerprintState.OPERATIONAL
    assert reader.capacity == 50
    assert reader.template_count() == 1


def test_wrong_password(sim: FingerprintSimulator) -> None:
    reader = make_reader(sim, password=0x9999)
    with pytest.raises(WrongPasswordError):
        reader.open()
    assert reader.state is FingerprintState.WRONG_PASSWORD
    reader.close()
    assert reader.state is FingerprintState.CLOSED


def test_identify_outcomes(sim: FingerprintSimulator, reader: FingerprintReader) -> None:
    assert reader.identify() == NoFinger()
    sim.place_finger(UNKNOWN_FINGER)
    assert reader.identify() == NoMatch()
    sim.place_finger(AGENT_FINGER)
    result = reader.identify()
    assert isinstance(result, Match) and result.slot == 4 and result.score > 0


def test_identify_waits_for_a_finger(sim: FingerprintSimulator, reader: FingerprintReader) -> None:
    threading.Timer(0.15, sim.place_finger, args=(AGENT_FINGER,)).start()
    began = time.monotonic()
    result = reader.identify(wait_s=2.0)
    assert isinstance(result, Match)
    assert 0.1 < time.monotonic() - began < 1.0


def test_low_score_is_no_match(sim: FingerprintSimulator) -> None:
    sim.model.match_score = 20
    sim.place_finger(AGENT_FINGER)
    with make_reader(sim, min_score=50) as reader:
        assert reader.identify() == NoMatch()


def test_smudged_images_are_retried(sim: FingerprintSimulator, reader: FingerprintReader) -> None:
    sim.faults.messy_images = 2
    sim.place_finger(AGENT_FINGER)
    assert isinstance(reader.identify(wait_s=1.0), Match)
    sim.faults.messy_images = 1000
    assert reader.identify(wait_s=0.1) == NoFinger()


def test_enroll_delete_clear(sim: FingerprintSimulator, reader: FingerprintReader) -> None:
    sim.model.auto_lift = True
    sim.place_finger(11)
    steps: list[EnrollStep] = []
    assert reader.enroll(9, wait_s=1.0, on_step=steps.append)
    assert steps == [EnrollStep.PLACE_FINGER, EnrollStep.REMOVE_FINGER, EnrollStep.PLACE_AGAIN, EnrollStep.STORED]
    assert sim.model.library[9] == 11
    assert reader.template_count() == 2
    result = reader.identify(wait_s=0.5)
    assert isinstance(result, Match) and result.slot == 9
    reader.delete(9)
    assert reader.template_count() == 1
    reader.clear()
    assert reader.template_count() == 0


def test_enroll_with_two_different_fingers_fails(sim: FingerprintSimulator, reader: FingerprintReader) -> None:
    sim.model.auto_lift = True
    sim.place_finger(11)

    def swap(step: EnrollStep) -> None:
        if step is EnrollStep.PLACE_AGAIN:
            sim.place_finger(12)

    with pytest.raises(EnrollError) as caught:
        reader.enroll(9, wait_s=1.0, on_step=swap)
    assert caught.value.code == Confirmation.MERGE_FAIL
    assert 9 not in sim.model.library


def test_enroll_gives_up_when_the_finger_never_lifts(sim: FingerprintSimulator, reader: FingerprintReader) -> None:
    sim.place_finger(11)
    began = time.monotonic()
    assert reader.enroll(9, wait_s=0.3) is False
    assert time.monotonic() - began < 1.0


def test_slot_outside_the_library(reader: FingerprintReader) -> None:
    with pytest.raises(ValueError):
        reader.enroll(50)
    with pytest.raises(ValueError):
        reader.delete(-1)


def test_sensor_refusal_is_typed(sim: FingerprintSimulator, reader: FingerprintReader) -> None:
    sim.model.library_size = 10  # the sensor's own check, behind the driver's
    with pytest.raises(SensorError) as caught:
        reader.delete(20)
    assert caught.value.code == Confirmation.BAD_PAGE


def test_silent_sensor_times_out_in_about_a_second(sim: FingerprintSimulator) -> None:
    with make_reader(sim, timeout_s=1.0) as reader:
        sim.faults.silent = True
        began = time.monotonic()
        with pytest.raises(DeviceTimeout):
            reader.template_count()
        assert 0.9 <= time.monotonic() - began < 1.3
        assert reader.state is FingerprintState.NOT_RESPONDING
        sim.faults.silent = False
        assert reader.template_count() == 1
        assert reader.state is FingerprintState.OPERATIONAL


def test_garbage_before_replies_is_skipped(sim: FingerprintSimulator, reader: FingerprintReader) -> None:
    sim.faults.garbage = b"\x00\xff\xef\x13noise\xef"
    sim.place_finger(AGENT_FINGER)
    assert isinstance(reader.identify(), Match)


@pytest.mark.parametrize(
    ("fault", "error"),
    [("bad_checksum", ChecksumError), ("truncate", ProtocolError)],
)
def test_broken_replies_are_protocol_errors(
    sim: FingerprintSimulator, reader: FingerprintReader, fault: str, error: type[HardwareError]
) -> None:
    setattr(sim.faults, fault, True)
    with pytest.raises(error):
        reader.template_count()
    assert reader.state is FingerprintState.PROTOCOL_ERROR
    setattr(sim.faults, fault, False)
    assert reader.template_count() == 1


def test_a_late_reply_is_not_taken_for_the_next_one(sim: FingerprintSimulator, reader: FingerprintReader) -> None:
    sim.faults.reply_delay_s = 0.4  # beyond the 0.3 s deadline
    with pytest.raises(DeviceTimeout):
        reader.template_count()
    sim.faults.reply_delay_s = 0.0
    time.sleep(0.2)  # the late TempleteNum reply is now waiting in the input buffer
    params = reader.system_parameters()
    assert params.library_size == 50


def test_slow_replies_within_the_deadline(sim: FingerprintSimulator, reader: FingerprintReader) -> None:
    sim.faults.reply_delay_s = 0.1
    assert reader.template_count() == 1


def test_port_vanishing_mid_operation(sim: FingerprintSimulator, reader: FingerprintReader) -> None:
    sim.faults.reply_delay_s = 0.25
    threading.Timer(0.05, sim.vanish).start()
    with pytest.raises(TransportError):
        reader.template_count()
        reader.template_count()
    assert reader.state is FingerprintState.DISCONNECTED


def test_missing_port(tmp_path: object) -> None:
    reader = FingerprintReader.from_config(FingerprintConfig(port="/nonexistent/ttyFP"))
    with pytest.raises(TransportError):
        reader.open()
    assert reader.state is FingerprintState.DISCONNECTED


def test_concurrent_callers_are_serialised(sim: FingerprintSimulator, reader: FingerprintReader) -> None:
    sim.place_finger(AGENT_FINGER)
    results: list[object] = []
    errors: list[BaseException] = []

    def worker(call: str) -> None:
        try:
            for _ in range(20):
                results.append(reader.template_count() if call == "count" else reader.identify())
        except BaseException as err:  # collected for the assertion below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(call,)) for call in ("count", "identify", "count")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not errors
    assert results.count(1) == 40
    assert sum(isinstance(r, Match) for r in results) == 20


def test_config_rejects_odd_baud_rates() -> None:
    with pytest.raises(ValueError):
        FingerprintConfig(baudrate=50000)
    assert FingerprintConfig(baudrate=115200).baudrate == 115200


def test_a_reader_set_to_another_address_hears_nothing(sim: FingerprintSimulator) -> None:
    """Review of issue 17: the simulator answered packets for any address (a real module ignores them), so a
    wrong ``address`` setting showed as a protocol error here and as silence in the field."""
    reader = make_reader(sim, address=0x12345678)
    with pytest.raises(DeviceTimeout):
        reader.open()
    assert reader.state is FingerprintState.NOT_RESPONDING
    assert sim.commands_seen == 0
