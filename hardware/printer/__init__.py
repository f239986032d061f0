"""Thermal ticket printer port: ESC/POS layout, real-time status, transports and a wire-level simulator.

Import the modules themselves (`hardware.printer.device`, `.status`, `.ticket`): this package file stays empty so
that importing a light module (profiles, ticket labels) never drags in python-escpos and Pillow.
"""
