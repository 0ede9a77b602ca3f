"""The CSP's Edge OSM as the facade uses it: onboard and delete the packages built from an
AppD, create (and thereby instantiate) and terminate the application's NS, and follow OSM's
operations to their end (its Kafka bus when given, else polling: osm_mec.osm.waiting)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..osm.nbi import NbiClient, NbiError
from ..osm.waiting import OperationListener, wait_for_operation

OP_TIMEOUT = 3600.0


@dataclass(frozen=True)
class OnboardedPackages:
    """The OSM _ids of an application's CNF package (VNF package) and NS package."""

    vnf_package: str
    ns_package: str


class EdgeOsm:
    """One Edge OSM, one VIM account for the applications; an NBI client per thread
    (requests' sessions are not shared between threads)."""

    def __init__(self, make_client: Callable[[], NbiClient], vim_account: str,
                 listener: OperationListener | None = None) -> None:
        self.make_client = make_client
        self.vim_account = vim_account
        self.listener = listener
        self._local = threading.local()
        self._vim_id: str | None = None

    @property
    def client(self) -> NbiClient:
        client: NbiClient | None = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self.make_client()
        return client

    # -- packages -------------------------------------------------------------------------
    def onboard(self, vnf: tuple[bytes, str, str], ns: tuple[bytes, str, str]
                ) -> OnboardedPackages:
        """Upload the CNF package, then the NS package; each is (archive, file name,
        descriptor id). A package OSM already holds under that id is reused only when
        the facade is re-running the same upload (same descriptor id)."""
        vnf_id = self.client.upload_package("vnf", *vnf)
        try:
            ns_id = self.client.upload_package("ns", *ns)
        except NbiError:
            self.client.delete_package("vnf", vnf_id)
            raise
        return OnboardedPackages(vnf_id, ns_id)

    def delete_packages(self, packages: OnboardedPackages) -> None:
        """NS package first (OSM refuses to delete a VNF package an NSD references)."""
        for kind, package_id in (("ns", packages.ns_package), ("vnf", packages.vnf_package)):
            try:
                self.client.delete_package(kind, package_id)
            except NbiError as exc:
                if exc.status != 404:
                    raise

    def package_exists(self, kind: str, package_id: str) -> bool:
        try:
            self.client.request("GET", f"{PACKAGE_PATHS[kind]}/{package_id}")
        except NbiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def ns_using(self, ns_package: str) -> list[str]:
        """The NS instances of the Edge OSM built from this NS package (OSM's usage)."""
        return [str(ns["_id"]) for ns in self.client.list_ns()
                if ns.get("nsd-id") == ns_package]

    # -- NS instances ---------------------------------------------------------------------
    def vim_id(self) -> str:
        if self._vim_id is None:
            found = self.client.find_admin("vim", self.vim_account)
            if found is None:
                raise NbiError("GET", "/admin/v1/vim_accounts", 404, "NOT_FOUND",
                               f"VIM account {self.vim_account!r} is not registered in the "
                               "Edge OSM; give the one the applications run on with --vim",
                               self.client.url)
            self._vim_id = str(found["_id"])
        return self._vim_id

    def instantiate(self, ns_name: str, ns_package: str, description: str,
                    config: dict[str, Any] | None = None) -> tuple[str, str]:
        """Create and instantiate the application's NS; (NS id, operation id)."""
        return self.client.create_ns(ns_name, ns_package, self.vim_id(), description, config)

    def find_ns(self, ns_name: str) -> dict[str, Any] | None:
        return self.client.find_ns(ns_name)

    def terminate(self, ns_id: str) -> str | None:
        """Terminate and remove the NS; the operation id, or None when already gone."""
        try:
            return self.client.delete_ns(ns_id)
        except NbiError as exc:
            if exc.status == 404:
                return None
            raise

    def operation(self, op_id: str) -> dict[str, Any]:
        return self.client.get_operation(op_id)

    def wait(self, op_id: str, gone_ok: bool = False) -> dict[str, Any]:
        """The operation once COMPLETED; OperationFailed otherwise."""
        return wait_for_operation(self.client, op_id, OP_TIMEOUT, listener=self.listener,
                                  gone_ok=gone_ok)


PACKAGE_PATHS = {"vnf": "/vnfpkgm/v1/vnf_packages", "ns": "/nsd/v1/ns_descriptors"}
