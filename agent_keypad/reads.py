"""A node read that is asked for often (on every event) but runs at most once at a time, plus once more after.

Events only say "look again": if ten arrive while a read is in flight, one more read follows it, whose answer is
at least as new as all ten. Answers are applied on the GUI thread, in order (one worker).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from appkit.tasks import TaskRunner


class CoalescedRead:
    def __init__(self, runner: TaskRunner, read: Callable[[], Any], apply: Callable[[Any], None],
                 fail: Callable[[BaseException], None]) -> None:
        self._runner, self._read, self._apply, self._fail = runner, read, apply, fail
        self._in_flight = self._again = False

    def request(self) -> None:
        if self._in_flight:
            self._again = True
            return
        self._in_flight = True
        self._runner.submit(self._read, on_done=self._done, on_error=self._failed)

    def _done(self, value: Any) -> None:
        self._in_flight = False
        self._apply(value)
        if self._again:
            self._again = False
            self.request()

    def _failed(self, err: BaseException) -> None:
        self._in_flight = self._again = False
        self._fail(err)
