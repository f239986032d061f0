"""Hardware ports: printers, scanners, fingerprint readers — drivers and wire-level simulators."""
