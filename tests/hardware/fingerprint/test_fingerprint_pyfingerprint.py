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
