"""The CSP's Edge OSM as the facade uses it: onboard and delete the packages built from an
AppD, create (and thereby instantiate) and terminate the application's NS, and follow OSM's
operations to their end (its Kafka bus when given, else polling: osm_mec.osm.waiting)."""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..osm.nbi import NbiClient, NbiError, NbiFailure
from ..osm.waiting import OperationListener, wait_for_operation

OP_TIMEOUT = 3600.0
PACKAGE_PATHS = {"vnf": "/vnfpkgm/v1/vnf_packages", "ns": "/nsd/v1/ns_descriptors"}


@dataclass(frozen=True)
class OnboardedPackages:
    """The OSM _ids of an application's CNF package (VNF package) and NS package."""

    vnf_package: str
    ns_package: str


class EdgeOsm:
    """One Edge OSM, one VIM account for the applications. NBI clients are pooled: each
    call borrows one (a requests session is not shared by two threads at once) and a
    client keeps its token, so requests do not log in again."""

    def __init__(self, make_client: Callable[[], NbiClient], vim_account: str,
                 listener: OperationListener | None = None) -> None:
        self.make_client = make_client
        self.vim_account = vim_account
        self.listener = listener
        self._idle: queue.SimpleQueue[NbiClient] = queue.SimpleQueue()
        self._vim_id: str | None = None

    @contextlib.contextmanager
    def client(self) -> Iterator[NbiClient]:
        try:
            borrowed = self._idle.get_nowait()
        except queue.Empty:
            borrowed = self.make_client()
        try:
            yield borrowed
        finally:
            self._idle.put(borrowed)

    # -- packages -------------------------------------------------------------------------
    def onboard(self, vnf: tuple[bytes, str, str], ns: tuple[bytes, str, str]
                ) -> OnboardedPackages:
        """Upload the CNF package, then the NS package; each is (archive, file name,
        descriptor id). The CNF package goes again when OSM refuses the NS package."""
        with self.client() as client:
            vnf_id = client.upload_package("vnf", *vnf)
            try:
                ns_id = client.upload_package("ns", *ns)
            except NbiFailure:
                client.delete_package("vnf", vnf_id)
                raise
        return OnboardedPackages(vnf_id, ns_id)

    def delete_packages(self, packages: OnboardedPackages) -> None:
        """NS package first (OSM refuses to delete a VNF package an NSD references)."""
        with self.client() as client:
            for kind, package_id in (("ns", packages.ns_package),
                                     ("vnf", packages.vnf_package)):
                try:
                    client.delete_package(kind, package_id)
                except NbiError as exc:
                    if exc.status != 404:
                        raise

    def ns_packages_in_use(self) -> set[str]:
        """The NS packages (_id) some NS instance of the Edge OSM was built from."""
        with self.client() as client:
            return {str(ns.get("nsd-id")) for ns in client.list_ns()}

    def ns_using(self, ns_package: str) -> list[str]:
        """The NS instances of the Edge OSM built from this NS package (OSM's usage)."""
        with self.client() as client:
            return [str(ns["_id"]) for ns in client.list_ns()
                    if ns.get("nsd-id") == ns_package]

    # -- NS instances ---------------------------------------------------------------------
    def vim_id(self, client: NbiClient) -> str:
        if self._vim_id is None:
            found = client.find_admin("vim", self.vim_account)
            if found is None:
                raise NbiError("GET", "/admin/v1/vim_accounts", 404, "NOT_FOUND",
                               f"VIM account {self.vim_account!r} is not registered in the "
                               "Edge OSM; give the one the applications run on with --vim",
                               client.url)
            self._vim_id = str(found["_id"])
        return self._vim_id

    def instantiate(self, ns_name: str, ns_package: str, description: str,
                    config: dict[str, Any] | None = None) -> tuple[str, str]:
        """Create and instantiate the application's NS; (NS id, operation id)."""
        with self.client() as client:
            return client.create_ns(ns_name, ns_package, self.vim_id(client), description,
                                    config)

    def find_ns(self, ns_name: str) -> dict[str, Any] | None:
        with self.client() as client:
            return client.find_ns(ns_name)

    def operations(self, ns_id: str) -> list[dict[str, Any]]:
        with self.client() as client:
            return client.list_operations(ns_id)

    def terminate(self, ns_id: str) -> str | None:
        """Terminate and remove the NS; the operation id, or None when already gone."""
        with self.client() as client:
            try:
                return client.delete_ns(ns_id)
            except NbiError as exc:
                if exc.status == 404:
                    return None
                raise

    def operation(self, op_id: str) -> dict[str, Any]:
        with self.client() as client:
            return client.get_operation(op_id)

    def wait(self, op_id: str, gone_ok: bool = False) -> dict[str, Any]:
        """The operation once COMPLETED; OperationFailed otherwise."""
        with self.client() as client:
            return wait_for_operation(client, op_id, OP_TIMEOUT, listener=self.listener,
                                      gone_ok=gone_ok)
