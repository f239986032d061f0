"""Telling the node a call was shown (after the frame showing it) and announced (after the sound ended).

The keypad shows "shown on 2 of 2 displays" from these. With a frame gate, "shown" waits for the next frame the
window presents after the view-model changed, so it means what it says; `QQuickWindow.frameSwapped` may come
from the render thread, hence a QObject slot (queued to the GUI thread).
"""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import QObject, Slot

from appkit.tasks import TaskRunner
from display.board import Call
from nodeclient.client import NodeClient, NodeError

log = logging.getLogger(__name__)


class CallAcker(QObject):
    #: calls waiting for a frame, at most: a window that never presents one (hidden, a stalled renderer) must not
    #: grow the list for months; the oldest calls are long off the screen anyway
    MAX_PENDING = 32

    def __init__(self, client: NodeClient, runner: TaskRunner, *, wait_for_frame: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.runner = runner
        self.wait_for_frame = wait_for_frame
        self._pending: list[Call] = []
        self.sent: list[tuple[str, int, bool]] = []  # (ticket_id, recalls, announced): what was acknowledged

    def shown(self, call: Call) -> None:
        if self.wait_for_frame:
            if all(p.key != call.key for p in self._pending):
                self._pending.append(call)
                del self._pending[:-self.MAX_PENDING]
        else:
            self._send(call, announced=False)

    @Slot()
    def frame_swapped(self) -> None:
        pending, self._pending = self._pending, []
        for call in pending:
            self._send(call, announced=False)

    def announced(self, call: Call) -> None:
        self._send(call, announced=True)

    def resend(self, call: Call) -> None:
        """Acknowledge again a call already shown (after a reconnection): announced too if it was heard here."""
        heard = (call.ticket_id, call.recalls, True) in self.sent
        self._send(call, announced=heard)

    def _send(self, call: Call, *, announced: bool) -> None:
        def failed(err: BaseException) -> None:
            # 404 unknown_call: the ticket moved on before the ack arrived; nothing to tell anyone
            level = logging.DEBUG if isinstance(err, NodeError) and err.status == 404 else logging.INFO
            log.log(level, "ack of %s not delivered: %s", call.number, err)

        self.sent.append((call.ticket_id, call.recalls, announced))
        del self.sent[:-200]
        self.runner.submit(partial(self.client.ack_call, call.ticket_id, call.recalls, shown=True,
                                   announced=announced), on_error=failed)
