"""The layout audit: render every screen of an app and find what a person at it would trip over.

`tree` reads a rendered QML window into plain records, `checks` finds problems in them and in the pixels,
`runner` renders each state in every language, mode and resolution. Each app's tests say how to reach its
states (`tests/<app>/screens.py`).
"""

from devtools.screen_audit.checks import Finding, Rules, check_snapshot, check_structure
from devtools.screen_audit.runner import AuditReport, Screens, audit_state, audit_window, capture, pump

__all__ = ["AuditReport", "Finding", "Rules", "Screens", "audit_state", "audit_window", "capture", "check_snapshot",
           "check_structure", "pump"]
