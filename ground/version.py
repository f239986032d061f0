"""The product's version, one place for every package (and the installers) to read."""

VERSION = "0.1.0"
