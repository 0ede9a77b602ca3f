"""The CSP's own accounts in its Edge OSM.

A Charmed OSM starts with one user, ``admin``/``admin`` in project ``admin`` (NBI creates it
when its user database is empty; the bundle has no option to choose another). On first
contact the chain takes that OSM over for the CSP: it writes two new passwords to 0600 files
under the CSP's state directory FIRST (so that a crash never loses one), creates a project and
a user (role ``project_admin``) for the CSP, replaces the initial admin password, and from
then on does everything in the Edge OSM as the CSP's user. A re-run finds the files and
reuses them; each step looks first whether it is already done. Teardown deletes the user and
the project, then the files.

The passwords travel only to the Edge OSM's NBI over its HTTP API: never in an NS or
operation record, parameter or Kafka message of the Main OSM. NBI itself publishes a
password change (``users`` topic, ``edited``) on the EDGE OSM's own bus (docs/security.md).

Files (each usable as ``--osm-credentials``): ``<state dir>/<csp>.edge-osm/csp.yaml`` and
``admin.yaml`` (user, password, project, url).
"""

from __future__ import annotations

import secrets
import shutil
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import OsmMecError
from ..core.secret_files import write_secret_file
from ..osm.credentials import Credentials, read_credentials_file
from ..osm.nbi import NbiClient, NbiError, RetryPolicy

INITIAL_ADMIN = Credentials("admin", "admin", "admin")  # Charmed OSM's NBI at first start
CSP_ROLE = "project_admin"
PASSWORD_SPECIALS = "!@#$%^&*-_=+:,.<>"  # NBI accepts these (its password pattern)
PASSWORD_LENGTH = 24                      # never 64: NBI takes 64 hex digits as a hash
Status = Callable[[str], None]


class EdgeAccessFailed(OsmMecError):
    """The Edge OSM refused every credentials the chain has for it."""


@dataclass(frozen=True)
class EdgeAccounts:
    """The two identities of one CSP's Edge OSM."""

    admin: Credentials
    csp: Credentials


def new_password() -> str:
    """A random password NBI's policy accepts: 8+ characters with a lower- and an upper-case
    letter, a digit and a special character."""
    rng = secrets.SystemRandom()
    alphabet = string.ascii_letters + string.digits + PASSWORD_SPECIALS
    chars = [rng.choice(string.ascii_lowercase), rng.choice(string.ascii_uppercase),
             rng.choice(string.digits), rng.choice(PASSWORD_SPECIALS)]
    chars += [rng.choice(alphabet) for _ in range(PASSWORD_LENGTH - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


def accounts_dir(state_path: Path) -> Path:
    """Where a CSP's Edge OSM credentials live: beside its state file."""
    return state_path.with_name(f"{state_path.stem}.edge-osm")


def csp_identity(csp: str) -> tuple[str, str]:
    """(user name, project name) of the CSP in its Edge OSM."""
    return csp, csp


def read_accounts(directory: Path) -> EdgeAccounts | None:
    """The accounts written by an earlier run, or None."""
    paths = [directory / "admin.yaml", directory / "csp.yaml"]
    if not all(p.exists() for p in paths):
        return None
    admin, csp = (read_credentials_file(p) for p in paths)
    return EdgeAccounts(Credentials(admin["user"], admin["password"], admin["project"]),
                        Credentials(csp["user"], csp["password"], csp["project"]))


def write_accounts(directory: Path, accounts: EdgeAccounts, url: str) -> None:
    """Both files, 0600, in a 0700 directory."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    for name, creds in (("admin", accounts.admin), ("csp", accounts.csp)):
        write_secret_file(directory / f"{name}.yaml", yaml.safe_dump(
            {"user": creds.user, "password": creds.password, "project": creds.project,
             "url": url}, sort_keys=False))


def remove_accounts(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


class EdgeOsmAccess:
    """Logs in to one Edge OSM as the CSP, taking the OSM over on first contact."""

    def __init__(self, url: str, directory: Path, csp: str, verify: bool | str = True,
                 retry: RetryPolicy | None = None, status: Status = lambda _: None) -> None:
        self.url, self.directory, self.csp, self.verify = url, directory, csp, verify
        self.retry, self.status = retry or RetryPolicy(), status

    def client(self, creds: Credentials) -> NbiClient:
        return NbiClient(self.url, creds, verify=self.verify, retry=self.retry)

    def _works(self, creds: Credentials) -> NbiClient | None:
        """A client logged in with `creds`, or None when the NBI refuses them (401)."""
        client = self.client(creds)
        try:
            client.token()
        except NbiError as exc:
            if exc.status != 401:
                raise
            return None
        return client

    def _admin(self, accounts: EdgeAccounts) -> tuple[NbiClient, bool]:
        """An admin client, and whether it still uses the initial password."""
        for creds, initial in ((accounts.admin, False), (INITIAL_ADMIN, True)):
            client = self._works(creds)
            if client is not None:
                return client, initial
        raise EdgeAccessFailed(
            f"the Edge OSM at {self.url} refuses its admin user: neither the password in "
            f"{self.directory / 'admin.yaml'} nor the initial one works\n  what to do: log in "
            "to that OSM as its administrator, set the admin password to the one in that "
            f"file (or delete the file if nothing was created yet), then run the command "
            "again")

    def csp_credentials(self, take_over: bool = True) -> Credentials:
        """The CSP's credentials for this Edge OSM; on first contact (``take_over``) the
        accounts are created. Without ``take_over`` (status, teardown) the best working
        credentials are returned and nothing is changed."""
        accounts = read_accounts(self.directory)
        if accounts is not None and self._works(accounts.csp) is not None:
            return accounts.csp
        if not take_over:
            if accounts is not None:
                return self._admin(accounts)[0].credentials
            return INITIAL_ADMIN
        if accounts is None:
            user, project = csp_identity(self.csp)
            accounts = EdgeAccounts(Credentials("admin", new_password(), "admin"),
                                    Credentials(user, new_password(), project))
            write_accounts(self.directory, accounts, self.url)  # before any change
        admin, initial = self._admin(accounts)
        self._ensure_project(admin, accounts.csp.project)
        if initial:
            self._change_own_password(admin, accounts.admin.password)
        self._ensure_user(admin, accounts.csp)
        if self._works(accounts.csp) is None:
            raise EdgeAccessFailed(f"the Edge OSM at {self.url} refuses the CSP user "
                                   f"{accounts.csp.user} it just set up\n  what to do: check "
                                   "its users (`osm user-list`), then run the command again")
        self.status(f"Edge OSM: CSP user {accounts.csp.user} in project "
                    f"{accounts.csp.project}; credentials in {self.directory} (0600)")
        return accounts.csp

    def _ensure_project(self, admin: NbiClient, project: str) -> None:
        try:
            admin.request("GET", f"/admin/v1/projects/{project}")
        except NbiError as exc:
            if exc.status != 404:
                raise
            admin.request("POST", "/admin/v1/projects", json={"name": project})

    def _change_own_password(self, admin: NbiClient, password: str) -> None:
        """Replace the initial admin password (NBI wants the old one for one's own)."""
        me = admin.request("GET", f"/admin/v1/users/{admin.credentials.user}")
        admin.request("PATCH", f"/admin/v1/users/{me['_id']}", json={
            "password": password, "old_password": admin.credentials.password})
        self.status("Edge OSM: initial admin password replaced")

    def _ensure_user(self, admin: NbiClient, creds: Credentials) -> None:
        """The CSP's user with its password and project: created, or (an earlier run made
        it but its password is not the file's) given the file's password."""
        try:
            user = admin.request("GET", f"/admin/v1/users/{creds.user}")
        except NbiError as exc:
            if exc.status != 404:
                raise
            admin.request("POST", "/admin/v1/users", json={
                "username": creds.user, "password": creds.password,
                "project_role_mappings": [{"project": creds.project, "role": CSP_ROLE}]})
            return
        me = admin.request("GET", f"/admin/v1/users/{admin.credentials.user}")
        body: dict[str, Any] = {"system_admin_id": me["_id"]}
        if self._works(creds) is None:
            body["password"] = creds.password
        if not any(m.get("project_name") == creds.project
                   for m in user.get("project_role_mappings") or []):
            body["add_project_role_mappings"] = [{"project": creds.project, "role": CSP_ROLE}]
        if len(body) > 1:
            admin.request("PATCH", f"/admin/v1/users/{user['_id']}", json=body)

    def remove_csp(self) -> list[str]:
        """Delete the CSP's user and project (as admin); what was deleted."""
        accounts = read_accounts(self.directory)
        user, project = (accounts.csp.user, accounts.csp.project) if accounts \
            else csp_identity(self.csp)
        admin, _ = self._admin(accounts or EdgeAccounts(INITIAL_ADMIN, INITIAL_ADMIN))
        done = []
        for path, what in ((f"/admin/v1/users/{user}", f"user {user}"),
                           (f"/admin/v1/projects/{project}", f"project {project}")):
            try:
                if path.startswith("/admin/v1/users/"):  # NBI deletes users by _id
                    found = admin.request("GET", path)
                    path = f"/admin/v1/users/{found['_id']}"
                admin.request("DELETE", path)
            except NbiError as exc:
                if exc.status != 404:
                    raise
                continue
            done.append(what)
        return done
