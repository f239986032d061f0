"""Request bodies: strict pydantic models (unknown fields and wrong types are 422s, never 500s)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]


def _whole(value: object) -> object:
    """JSON has one number type: 7.0 is the integer 7 (as JSON Schema says), 7.5 and true are not integers."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Int = Annotated[int, BeforeValidator(_whole)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AppointmentBody(Body):
    ref: Ident
    slot: Annotated[datetime, Field(strict=False)] = Field(description="Slot start, ISO 8601 with a time zone.")


class IssueTicketBody(Body):
    service: Ident
    priority: Ident | Annotated[Int, Field(ge=0, le=9)] | None = Field(
        None, description="A priority category id (e.g. pregnant) or a level number.")
    appointment: AppointmentBody | None = None
    language: Literal["fr", "en", "ar"] = "fr"


class CancelBody(Body):
    reason: Literal["customer", "staff", "duplicate"] = "customer"


class LoginBody(Body):
    """A PIN with its agent, or a fingerprint slot the keypad's reader matched (the schema says so, so `{}` is
    as invalid for the document as for the node)."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"anyOf": [
        {"required": ["agent", "pin"], "properties": {"agent": {"type": "string"}, "pin": {"type": "string"}}},
        {"required": ["fingerprint_slot"], "properties": {"fingerprint_slot": {"type": "integer"}}}]})

    agent: Ident | None = Field(None, description="Agent id or number; required with a PIN (a fingerprint slot "
                                                  "identifies the agent).")
    pin: Annotated[str, Field(min_length=4, max_length=12, pattern=r"^\d+$")] | None = None
    fingerprint_slot: Annotated[Int, Field(ge=0, le=9999)] | None = Field(
        None, description="A slot matched by the keypad's own fingerprint reader.")
    counter: Ident | None = None


class CallBody(Body):
    ticket: Annotated[str, Field(min_length=1, max_length=64)] = Field(description="Ticket id or today's number.")


class FinishBody(Body):
    outcome: Ident | None = None


class TransferBody(Body):
    service: Ident | None = None
    counter: Ident | None = None
    position: Literal["front", "back", "original"] = "back"


class PauseBody(Body):
    reason: Ident


class ReturnBody(Body):
    ticket: Annotated[str, Field(min_length=1, max_length=64)]
    position: Literal["front", "back", "original"] = "front"


class EmptyBody(Body):
    pass


class PairingCodeBody(Body):
    role: Literal["kiosk", "display", "keypad", "admin", "metrics"]
    counter: Ident | None = None
    name: Annotated[str, Field(max_length=80)] | None = None


class PairBody(Body):
    """Proof of the pairing code, never the code: `proof` = HMAC(scrypt(code, nonce), "device", nonce, SHA-256 of
    the TLS certificate the device saw ("" over plain HTTP)), see `nodeclient.pairing`."""

    nonce: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    proof: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    name: Annotated[str, Field(max_length=80)] | None = Field(None, description="What the device calls itself.")


class DeviceStatusBody(Body):

    state: Literal["ok", "degraded", "error", "offline"]
    version: Annotated[str, Field(max_length=40)] | None = None
    components: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, max_length=20,
        description="Per component (printer, scanner, camera, fingerprint, audio) a state word or short detail.")
    paper_left_estimate: Annotated[Int, Field(ge=0, le=1_000_000)] | None = None
    message: Annotated[str, Field(max_length=500)] | None = None


class CallAckBody(Body):
    ticket_id: Annotated[str, Field(min_length=1, max_length=64)]
    recalls: Annotated[Int, Field(ge=0, le=100)] = Field(
        description="Which call of the ticket (0 = first, n = nth recall).")
    shown: bool = True
    announced: bool = False
