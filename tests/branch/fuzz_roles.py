"""Schemathesis hooks (loaded by `st run` through SCHEMATHESIS_HOOKS): each generated request carries the next
credential of a rotation — every role's device token, an agent session, and none — so one run drives every
operation with every kind of caller. The credentials come from SQ_FUZZ_TOKENS (a JSON list; "" = no header).

DELETE /devices/me retires the token it is called with: it rotates through SQ_FUZZ_SPARE_TOKENS instead (a token
of each role made for it, an agent session and none), so the other operations keep their callers to the end."""

from __future__ import annotations

import itertools
import json
import os
import threading

import schemathesis

_TOKENS = json.loads(os.environ.get("SQ_FUZZ_TOKENS", '[""]'))
_NEXT = itertools.cycle(_TOKENS)
_SPARE = itertools.cycle(json.loads(os.environ.get("SQ_FUZZ_SPARE_TOKENS", '[""]')))
RETIRE = ("DELETE", "/api/v1/devices/me")
_LOCK = threading.Lock()


@schemathesis.auth(refresh_interval=None, retry_on=[])
class RotatingBearer:
    def get(self, case, context) -> str:
        with _LOCK:
            if (case.operation.method.upper(), case.operation.path) == RETIRE:
                return next(_SPARE)
            return next(_NEXT)

    def set(self, case, data: str, context) -> None:
        headers = dict(case.headers or {})
        headers.pop("Authorization", None)
        if data:
            headers["Authorization"] = f"Bearer {data}"
        case.headers = headers
