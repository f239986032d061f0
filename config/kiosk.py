"""The [kiosk] section: how the customer's touch kiosk behaves."""

from __future__ import annotations

from pydantic import Field, SecretStr

from config.base import Section


class KioskConfig(Section):
    """Timings, accessibility and the technician panel of the kiosk."""

    inactivity_seconds: float = Field(30, ge=5, le=600, description="Back to the home screen after this idle time.")
    ticket_screen_seconds: float = Field(12, ge=3, le=120, description="How long a ticket stays on screen.")
    services_refresh_seconds: float = Field(10, ge=1, le=300, description="How often waits on the tiles refresh.")
    tap_debounce_ms: int = Field(800, ge=100, le=5000, description="A second tap within this time is ignored.")
    issue_retry_seconds: float = Field(
        8, ge=1, le=60, description="How long a ticket request is retried (same idempotency key) before giving up.")
    offer_priority: bool = Field(True, description="Ask for a priority category before issuing a ticket.")
    qr_base_url: str | None = Field(
        None, pattern=r"^https?://", description="E-ticket link prefix; the QR then holds URL + signed ticket code.")
    status_report_seconds: float = Field(60, ge=5, le=3600, description="How often device health goes to the node.")
    technician_taps: int = Field(5, ge=3, le=10, description="Taps on the top corner that open the technician panel.")
    technician_tap_window_seconds: float = Field(3, ge=1, le=10)
    technician_pin_hash: SecretStr | None = Field(
        None, description="scrypt hash (smartqueue node hash-pin) of the technician panel PIN; none: panel disabled.")
