"""Review 15c: a counter named with blanks only (the configuration accepts "   ": it is not empty) is shown by its
number on the board, not as a blank beside the ticket."""
from __future__ import annotations

from display.board import BoardModel
from display.preview import sample_snapshot
from tests.display.test_viewmodel import make_vm


def test_a_blank_counter_name_falls_back_to_its_number(qtbot, product_fonts):
    snapshot = sample_snapshot(seq=100)
    snapshot["counters"][2]["names"] = {"fr": "   ", "ar": "\t"}
    board = BoardModel(recent_limit=3)
    board.load(snapshot)
    vm = make_vm(board)
    vm.setCounterWidth(484)
    for language in ("fr", "ar", "en"):
        vm.set_language(language)
        [row] = [r for r in vm.property("recentRows") if not r["heading"] and r["number"] == "B-005"]
        assert "".join(row["counterLines"]).strip(), (language, row["counterLines"])
