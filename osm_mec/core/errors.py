"""Error types on click's: an uncaught one ends a command with ``osm-mec: <message>`` on
stderr and its exit code, 1 for a failure, 2 for bad input (click's usage-error code)."""

from __future__ import annotations

from typing import IO, Any

import click


class OsmMecError(click.ClickException):
    """An operation failed (exit code 1). The message says what and what to do."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        """``osm-mec: <message>`` on stderr (click's own adds "Error:" and, for usage
        errors, the command's usage)."""
        click.echo(f"osm-mec: {self.format_message()}", file=file, err=True)


class UsageError(OsmMecError, click.UsageError):
    """Bad input: a profile, a flag or a file the user gave (exit code 2)."""

    exit_code = 2


class BadInputFile(UsageError):
    """A file the user gave that cannot be used (exit code 2). The message is
    "<source>: <detail>"; detail alone serves reports that name the file apart."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source, self.detail = source, detail
