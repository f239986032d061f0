"""The calling display: the waiting room's board (QML), its chime and voice, driven by the node's event stream."""
