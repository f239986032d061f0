"""Cross-check: pyfingerprint, an independent client of the R30x protocol, drives our simulator.

pyfingerprint is a test-only dependency (licence D-FSL); the product uses our own codec and device.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hardware.fingerprint.simulator import UNKNOWN_FINGER, FingerprintSimulator, SensorModel

pyfingerprint = pytest.importorskip("pyfingerprint.pyfingerprint")


@pytest.fixture
def sim() -> Iterator[FingerprintSimulator]:
    simulator = FingerprintSimulator(SensorModel(library_size=200))
    simulator.enroll_directly(3, 42)
    simulator.enroll_directly(8, 43)
    with simulator:
        yield simulator


@pytest.fixture
def client(sim: FingerprintSimulator) -> Iterator[object]:
    sensor = pyfingerprint.PyFingerprint(sim.port, 57600, 0xFFFFFFFF, 0x00000000)
    yield sensor
    sensor._PyFingerprint__serial.close()  # it has no close(); its __del__ would do this later


def test_pyfingerprint_search_flow(sim: FingerprintSimulator, client: object) -> None:
    assert client.verifyPassword() is True
    assert client.getTemplateCount() == 2
    assert client.getStorageCapacity() == 200
    assert client.readImage() is False  # no finger on the glass
    sim.place_finger(43)
    assert client.readImage() is True
    assert client.convertImage(0x01) is True
    slot, score = client.searchTemplate()
    assert slot == 8 and score > 0
    sim.place_finger(UNKNOWN_FINGER)
    assert client.readImage() is True
    client.convertImage(0x01)
    assert client.searchTemplate() == (-1, -1)


def test_pyfingerprint_enroll_and_delete(sim: FingerprintSimulator, client: object) -> None:
    sim.place_finger(50)
    assert client.readImage()
    client.convertImage(0x01)
    assert client.readImage()
    client.convertImage(0x02)
    client.createTemplate()
    assert client.storeTemplate(20, 0x01) == 20
    assert sim.model.library[20] == 50
    assert client.deleteTemplate(20) is True
    assert client.clearDatabase() is True
    assert client.getTemplateCount() == 0


# pyfingerprint's own example flows (example_enroll.py, example_search.py, example_index.py,
# example_generaterandom.py), step for step.


def test_example_enroll_stores_without_a_slot_in_the_first_free_one(sim: FingerprintSimulator, client) -> None:
    sim.model.auto_lift = False
    for finger, expected_slot in ((77, 0), (78, 1)):
        sim.place_finger(finger)
        assert client.readImage()
        client.convertImage(0x01)
        assert client.searchTemplate()[0] == -1  # not enrolled yet
        assert client.readImage()  # "waiting for same finger again"
        client.convertImage(0x02)
        assert client.compareCharacteristics() > 0
        client.createTemplate()
        assert client.storeTemplate() == expected_slot  # reads the index table (0x1F) to find a free slot
        assert sim.model.library[expected_slot] == finger


def test_example_enroll_refuses_two_different_fingers(sim: FingerprintSimulator, client) -> None:
    sim.place_finger(77)
    client.readImage()
    client.convertImage(0x01)
    sim.place_finger(78)
    client.readImage()
    client.convertImage(0x02)
    assert client.compareCharacteristics() == 0


def test_example_search_loads_and_downloads_the_template(sim: FingerprintSimulator, client) -> None:
    import hashlib

    from hardware.fingerprint.simulator import characteristics

    sim.place_finger(43)
    assert client.readImage()
    client.convertImage(0x01)
    slot, score = client.searchTemplate()
    assert slot == 8 and score > 0
    client.loadTemplate(slot, 0x01)
    downloaded = client.downloadCharacteristics(0x01)
    assert len(downloaded) == 512
    assert hashlib.sha256(bytes(downloaded)).hexdigest() == hashlib.sha256(characteristics(43)).hexdigest()
    with pytest.raises(Exception, match="could not be read"):
        client.loadTemplate(5, 0x01)  # an empty slot


def test_example_index_and_random_number(sim: FingerprintSimulator, client) -> None:
    index = client.getTemplateIndex(0)
    assert len(index) == 256 and [i for i, used in enumerate(index) if used] == [3, 8]
    assert not any(client.getTemplateIndex(1))
    numbers = {client.generateRandomNumber() for _ in range(3)}
    assert len(numbers) == 3 and all(0 <= n < 2**32 for n in numbers)


def test_pyfingerprint_with_another_address_gets_no_answer(sim: FingerprintSimulator) -> None:
    sensor = pyfingerprint.PyFingerprint(sim.port, 57600, 0x12345678, 0x00000000)
    sensor._PyFingerprint__serial.timeout = 0.05  # it waits its 2 s timeout per header byte otherwise
    try:
        with pytest.raises(Exception, match="valid header"):  # its read times out empty: no answer
            sensor.verifyPassword()
        assert sim.commands_seen == 0
    finally:
        sensor._PyFingerprint__serial.close()
