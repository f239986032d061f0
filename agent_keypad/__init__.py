"""The agent keypad: what an agent presses all day at a counter (QML view, Python view-model, a real node behind)."""
