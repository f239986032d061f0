"""HTTP errors with a JSON body {"error": {"code", "message", "details"?}}: never a traceback to the client."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from queue_engine.errors import DomainError

KIND_STATUS = {"not_found": 404, "conflict": 409, "invalid": 422, "forbidden": 403}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.headers = headers or {}

    def response(self) -> web.Response:
        return error_response(self.status, self.code, self.message, self.details, self.headers)


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> web.Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return web.json_response({"error": body}, status=status, headers=headers)


def from_domain(err: DomainError) -> ApiError:
    return ApiError(KIND_STATUS.get(err.kind, 409), err.code, err.message, **err.details)
