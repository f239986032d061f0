"""Scanner configuration: strict keys, ranges, and whitespace that is data (Enter as a suffix)."""

from __future__ import annotations

import pydantic
import pytest

from config.scanner import CameraScannerConfig, ScannerConfig, SerialScannerConfig, WedgeScannerConfig


def test_kind_selects_the_model_and_whitespace_affixes_survive() -> None:
    config = ScannerConfig.model_validate({"device": {"kind": "wedge", "prefix": "\t", "suffix": "\r"}})
    assert isinstance(config.device, WedgeScannerConfig)
    assert (config.device.prefix, config.device.suffix) == ("\t", "\r")
    serial = ScannerConfig.model_validate({"device": {"kind": "serial", "port": "/dev/ttyACM0", "terminator": "\r\n"}})
    assert isinstance(serial.device, SerialScannerConfig) and serial.device.terminator == "\r\n"


@pytest.mark.parametrize(
    "device",
    [
        {"kind": "wedge", "max_interkey_ms": 0},
        {"kind": "wedge", "colour": "red"},
        {"kind": "serial", "port": "/dev/ttyS0", "baudrate": 12345},
        {"kind": "serial", "port": "/dev/ttyS0", "terminator": ";"},
        {"kind": "serial", "port": "/dev/ttyS0", "gap_ms": 5},
        {"kind": "camera", "source": 99},
        {"kind": "camera", "symbologies": ["QRCODE", "SMOKE_SIGNALS"]},
        {"kind": "camera", "symbologies": []},
        {"kind": "bluetooth"},
    ],
)
def test_rejected(device: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        ScannerConfig.model_validate({"device": device})


def test_camera_source_kinds() -> None:
    assert not CameraScannerConfig(source=0).is_file_source
    assert not CameraScannerConfig(source="/dev/video2").is_file_source
    assert CameraScannerConfig(source="/srv/demo/scans.avi").is_file_source


def test_every_configurable_symbology_is_a_zbar_symbol() -> None:
    from typing import get_args

    from pyzbar.pyzbar import ZBarSymbol

    from config.scanner import Symbology

    assert all(name in ZBarSymbol.__members__ for name in get_args(Symbology))
