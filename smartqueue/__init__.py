"""SmartQueue Edge: the command-line entry point and shared assets of the on-site queue system."""

__version__ = "0.1.0"
