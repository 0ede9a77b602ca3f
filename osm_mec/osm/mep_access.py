"""How a MEC application gets to its MEP, the same for the chain's sample app and for every
app the facade deploys: BEFORE its NS is instantiated, the instance is registered with the
CSP's MEP (``MepClient.register``, idempotent) and its credentials go where the
application reads them; the application's KDU gets only non-secret Helm values,

    mep: {url: <the MEP's URL>, appInstanceId: <id>, existingSecret: <Secret's name>}

(``helm/mec-app``'s keys; charts that do not use them ignore them). Its credentials:

- ``SecretDrop``: a Kubernetes Secret ``osm-mec-mep-token-<id>`` (keys ``token`` and
  ``client-secret``) in the application's namespace on the cluster it is deployed to,
  through that cluster's API (the kubeconfig of the OSM where the cluster is registered);
- ``FileDrop``: where no cluster API is at hand (the standalone facade), a 0600 file
  ``<folder>/<id>.json`` for the operator to hand over; the KDU then gets no
  ``existingSecret``.

At termination the instance is deregistered (graceful: the MEP's wait) and its Secret or
file deleted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..core.secret_files import write_secret_file
from .kube import KubeApi
from .mep_client import AppCredentials, MepClient

TOKEN_SECRET_PREFIX = "osm-mec-mep-token-"


def token_secret_name(app_instance_id: str) -> str:
    """The Secret holding an application instance's MEP credentials."""
    return f"{TOKEN_SECRET_PREFIX}{app_instance_id}".lower()


class CredentialsDrop(Protocol):
    def put(self, namespace: str, credentials: AppCredentials, mep_url: str
            ) -> dict[str, str]:
        """Leave the credentials for the application; the Helm values that name where."""

    def remove(self, namespace: str, app_instance_id: str) -> None:
        """The credentials gone (already gone is fine)."""


@dataclass(frozen=True)
class SecretDrop:
    """Credentials as a Secret in the application's namespace on its cluster."""

    kube: KubeApi

    def put(self, namespace: str, credentials: AppCredentials, mep_url: str
            ) -> dict[str, str]:
        name = token_secret_name(credentials.app_instance_id)
        self.kube.ensure_secret(namespace, name, credentials.secret_data())
        return {"existingSecret": name}

    def remove(self, namespace: str, app_instance_id: str) -> None:
        self.kube.delete_secret(namespace, token_secret_name(app_instance_id))


@dataclass(frozen=True)
class FileDrop:
    """Credentials in a 0600 file for the operator (no cluster API at hand)."""

    folder: Path

    def path(self, app_instance_id: str) -> Path:
        return self.folder / f"{app_instance_id}.json"

    def put(self, namespace: str, credentials: AppCredentials, mep_url: str
            ) -> dict[str, str]:
        write_secret_file(self.path(credentials.app_instance_id), json.dumps({
            "appInstanceId": credentials.app_instance_id, "mepUrl": mep_url,
            "accessToken": credentials.access_token,
            "oauth2": {"clientId": credentials.app_instance_id,
                       "clientSecret": credentials.client_secret}}, indent=2) + "\n")
        return {}

    def remove(self, namespace: str, app_instance_id: str) -> None:
        self.path(app_instance_id).unlink(missing_ok=True)


@dataclass(frozen=True)
class MepAccess:
    """One MEP and where the applications' credentials go."""

    mep: MepClient
    drop: CredentialsDrop

    def hand_over(self, app_instance_id: str, namespace: str,
                  registration: dict[str, Any]) -> dict[str, str]:
        """Register the instance and leave its credentials; the KDU's ``mep`` values."""
        credentials = self.mep.register(app_instance_id, registration)
        where = self.drop.put(namespace, credentials, self.mep.url)
        return {"url": self.mep.url, "appInstanceId": app_instance_id, **where}

    def take_back(self, app_instance_id: str, namespace: str,
                  graceful_timeout: float | None) -> None:
        """Deregister the instance, then delete its credentials."""
        self.mep.deregister(app_instance_id, graceful_timeout)
        self.drop.remove(namespace, app_instance_id)
