"""The error of a failed chain step: which step, OSM's (or the cluster's, the MEP's)
detail, and what to do."""

from __future__ import annotations

from ..core.errors import OsmMecError


class ChainFailed(OsmMecError):
    """A step failed: which step, OSM's detail, what to do."""

    def __init__(self, step: str, detail: str, hint: str) -> None:
        self.step, self.detail, self.hint = step, detail, hint
        super().__init__(f"step '{step}' failed: {detail}\n  what to do: {hint}")
