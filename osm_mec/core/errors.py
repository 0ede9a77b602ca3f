"""Error types that the CLI maps to exit codes: usage errors exit 2, failures exit 1."""

from __future__ import annotations


class OsmMecError(Exception):
    """An operation failed (exit code 1). The message says what and what to do."""

    exit_code = 1


class UsageError(OsmMecError):
    """Bad input: a profile, a flag or a file the user gave (exit code 2)."""

    exit_code = 2


class BadInputFile(UsageError):
    """A file the user gave that cannot be used (exit code 2). The message is
    "<source>: <detail>"; detail alone serves reports that name the file apart."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source, self.detail = source, detail
