"""Ground utilities every package of SmartQueue Edge uses: durable files, i18n, logging, shipped assets, hashing.

This package imports nothing of the project (a test walks the imports), so any layer may build on it.
"""
