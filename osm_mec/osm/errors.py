"""How a call to OSM's NBI can fail: no answer at all (``OsmUnreachable``) or an error answer
from OSM (``NbiError``, with its HTTP status). Catch ``NbiFailure`` for either."""

from __future__ import annotations

from ..core.errors import OsmMecError


class NbiFailure(OsmMecError):
    """An NBI call failed: method, path, OSM's code (or the transport error's name), detail.
    ``status`` is the HTTP status of an answer, 0 when there was none."""

    status = 0

    def __init__(self, method: str, path: str, code: str, detail: str, base_url: str = "",
                 answer: str = "") -> None:
        self.method, self.path, self.code, self.detail = method, path, code, detail
        super().__init__(f"{method} {base_url}{path}: {answer or code}: {detail}")


class OsmUnreachable(NbiFailure):
    """No HTTP answer: connection refused or reset, timeout, TLS handshake failure. ``code``
    is the transport error's name; the detail says what to check."""


class NbiError(NbiFailure):
    """OSM answered with an error: HTTP status, OSM's code and detail."""

    def __init__(self, method: str, path: str, status: int, code: str, detail: str,
                 base_url: str = "") -> None:
        self.status = status
        super().__init__(method, path, code, detail, base_url, f"HTTP {status} {code}")
