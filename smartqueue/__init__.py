"""The `smartqueue` command line: the composition root that wires every package into its subcommands."""

from ground.version import VERSION as __version__

__all__ = ["__version__"]
