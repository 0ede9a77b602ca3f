"""The ``osm-mec`` command line: the only layer that reads flags and prints for people."""

from .commands import cli, main

__all__ = ["cli", "main"]
