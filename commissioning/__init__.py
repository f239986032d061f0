"""Commissioning a device: `smartqueue setup` (wizard and flags), `smartqueue doctor`, `smartqueue support-bundle`."""
