"""Barcode/QR scanners: keyboard wedge (Qt event filter), serial (line-framed), camera (OpenCV + zxing-cpp/zbar).

Drivers deliver raw scanned text (`wedge.WedgeScanFilter.scanned`, or the `on_scan` callback of
`serial_scanner.SerialScanner` / `camera.CameraScanner`); `codes.CodeParser` turns it into typed codes.
`simulator` fakes a serial scanner on a pty and `synthetic` makes camera footage for tests, demos and the bench;
`layouts` tells a wedge scanner set for another keyboard layout.
"""
