"""The branch node: SQLite store, LAN API, event stream, zeroconf, and the client every app uses."""
