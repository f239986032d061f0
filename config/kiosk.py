"""The [kiosk] section: how the customer's touch kiosk behaves."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from config.base import Section


class KioskConfig(Section):
    """Timings, accessibility and the technician panel of the kiosk."""

    inactivity_seconds: float = Field(30, ge=5, le=600, description="Back to the home screen after this idle time.")
    ticket_screen_seconds: float = Field(12, ge=3, le=120, description="How long a printed ticket stays on screen.")
    unprinted_ticket_seconds: float = Field(
        60, ge=10, le=300, description="How long a ticket the printer could not print stays on screen (or until "
                                       "the customer touches Done): the screen is all they have.")
    services_refresh_seconds: float = Field(10, ge=1, le=300, description="How often waits on the tiles refresh.")
    tap_debounce_ms: int = Field(800, ge=100, le=5000, description="A second tap within this time is ignored.")
    issue_retry_seconds: float = Field(
        8, ge=1, le=60, description="How long a ticket request is retried (same idempotency key) before giving up.")
    priority_question: Literal["ask", "never", "entry"] = Field(
        "ask", description="ask: every customer is asked about priority after choosing a service; never: no "
                           "priority tickets from this kiosk; entry: a separate 'priority' tile on the home screen "
                           "(one tap fewer for everyone else).")
    status_report_seconds: float = Field(60, ge=5, le=3600, description="How often device health goes to the node.")
    technician_taps: int = Field(5, ge=3, le=10, description="Taps on the top corner that open the technician panel.")
    technician_tap_window_seconds: float = Field(3, ge=1, le=10)
    technician_pin_hash: SecretStr | None = Field(
        None, description="scrypt hash (smartqueue node hash-pin) of the technician panel PIN; none: panel disabled.")
    technician_pin_attempts: int = Field(5, ge=1, le=20, description="Wrong PINs before the panel is locked.")
    technician_lockout_minutes: float = Field(5, ge=1, le=1440, description="How long the panel stays locked.")
    screen_diagonal_inches: float = Field(
        21.5, ge=7, le=100, description="The touch screen's diagonal: touch targets are sized in millimetres on it.")
