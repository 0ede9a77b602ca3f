"""The sample MEC application (``osm_mec.mecapp``) run for real for a ``mec-app`` Helm KDU,
as the chart's pod would run it: the MEP URL, application instance id and service name from
the KDU's values, its access token (or OAuth client secret) from the Secret the values name
(``mep.existingSecret``, keys ``token`` / ``client-secret``). It registers its Mp1 service
with the MEP at that URL; stopping it deregisters it (what SIGTERM does to the pod)."""

from __future__ import annotations

from typing import Any

from .served_app import ServedApp, WorkloadFailed

TOKEN_KEY, CLIENT_SECRET_KEY = "token", "client-secret"  # the chart's Secret keys


def mep_values(values: dict[str, Any]) -> dict[str, Any]:
    """The chart's ``mep`` values (where the MEP is, who the application is to it)."""
    mep = values.get("mep")
    return mep if isinstance(mep, dict) else {}


class RunningMecApp:
    """One sample application instance served on loopback."""

    def __init__(self, values: dict[str, Any], secret: dict[str, str]) -> None:
        mep = mep_values(values)
        self.mep_url = str(mep.get("url") or "")
        self.app_id = str(mep.get("appInstanceId") or "")
        self.service_name = str(values.get("serviceName") or "mec-sample")
        self._token = secret.get(TOKEN_KEY, "")
        self._client_secret = secret.get(CLIENT_SECRET_KEY, "")
        self.served = ServedApp("mec-app")
        self.host, self.port = self.served.host, self.served.port

    def start(self) -> RunningMecApp:
        try:
            from ..mecapp import MecAppConfig, create_app  # only for such a KDU: [mep] extra
        except ImportError as exc:
            raise WorkloadFailed(f"the sample MEC application cannot run here ({exc}): "
                                 "install osm-mec with its mep extra (pip install "
                                 "'osm-mec[mep]', or run scripts/install.sh)") from None
        config = MecAppConfig(self.mep_url, self.app_id, self._token, self.served.url,
                              self.service_name, client_secret=self._client_secret)
        try:
            self.served.start(create_app(config, request_exit=self.served.request_exit))
        except BaseException:
            self.served.stop()
            raise
        return self

    def stop(self) -> None:
        self.served.stop()
