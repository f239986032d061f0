"""Domain errors: a stable machine code for clients to translate, and an English message for technicians."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command that the queue's rules refuse. `code` is stable API; `kind` maps to the HTTP status family."""

    #: not_found → 404, conflict → 409, invalid → 422, forbidden → 403
    def __init__(self, code: str, message: str, *, kind: str = "conflict", **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.kind = kind
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **({"details": self.details} if self.details else {})}


def not_found(what: str, ident: str) -> DomainError:
    return DomainError(f"unknown_{what}", f"unknown {what}: {ident!r}", kind="not_found", id=ident)
