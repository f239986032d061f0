"""Configuration of an agent keypad's fingerprint reader (ZhianTec ZFM / R30x family, serial)."""

from __future__ import annotations

from pydantic import Field, field_validator

from config.base import Section


class FingerprintConfig(Section):
    """The `[fingerprint]` section of an agent keypad's configuration."""

    enabled: bool = Field(False, description="True when the keypad has a fingerprint reader.")
    simulated: bool = Field(
        False, description="Run the wire-level simulator on a pty in process instead of opening `port`."
    )
    port: str = Field("/dev/ttyUSB0", min_length=1, description="Serial device path of the sensor.")
    baudrate: int = Field(57600, description="Line speed: 9600 × N, N from 1 to 12 (sensors ship at 57600).")
    address: int = Field(0xFFFFFFFF, ge=0, le=0xFFFFFFFF, description="Module address (packet address field).")
    password: int = Field(0, ge=0, le=0xFFFFFFFF, description="Handshake password sent with VfyPwd.")
    timeout_s: float = Field(
        1.0, ge=0.1, le=5.0, description="Deadline for each reply; a silent sensor is reported after this long."
    )
    finger_wait_s: float = Field(
        10.0, ge=0, le=60, description="How long identification and each enrolment capture wait for a finger."
    )
    min_score: int = Field(
        50, ge=0, le=1000, description="Lowest Search match score accepted as the agent (sensor scale, ~0–300)."
    )

    @field_validator("baudrate")
    @classmethod
    def _multiple_of_9600(cls, value: int) -> int:
        if value % 9600 or not 1 <= value // 9600 <= 12:
            raise ValueError("baudrate must be 9600 × N with N from 1 to 12")
        return value
