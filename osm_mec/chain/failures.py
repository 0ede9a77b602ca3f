"""The error of a failed chain step: which step, OSM's (or the cluster's, the MEP's)
detail, and what to do; and the detail for what only OSM's LCM produces (lcm_gap)."""

from __future__ import annotations

from typing import Any

from ..core.errors import OsmMecError


class ChainFailed(OsmMecError):
    """A step failed: which step, OSM's detail, what to do."""

    def __init__(self, step: str, detail: str, hint: str) -> None:
        self.step, self.detail, self.hint = step, detail, hint
        super().__init__(f"step '{step}' failed: {detail}\n  what to do: {hint}")


def lcm_gap(what: str, op: dict[str, Any] | None = None) -> str:
    """OSM finished its part but lacks data that only its LCM produces: say what is missing
    and why (the operation's own detailed-status says what the LCM reported)."""
    reported = ""
    if op is not None:
        reported = (f" (operation {op.get('_id') or op.get('id')}: "
                    f"{op.get('detailed-status') or 'no detailed-status'!r})")
    return (f"{what}{reported}: OSM's LCM did not produce it (did it deploy and configure "
            "anything? an NBI without a working LCM, RO or Juju completes operations "
            "without results)")
