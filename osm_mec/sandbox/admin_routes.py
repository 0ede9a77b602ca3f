"""The sandbox NBI's user and project paths (``/admin/v1/users``, ``/admin/v1/projects``):
one handler per method and path, mapping a request to the Directory (``admin_users``) and its
answer to NBI's status code, body and ``Location`` header. ``server`` registers them."""

from __future__ import annotations

from typing import Any, Protocol

from .engine import SandboxOsm

ROOT = "/osm"
ID = r"(?P<id>[^/]+)"
Answer = tuple[Any, ...]


class Request(Protocol):
    """What a handler reads of a request (``server.Request``)."""

    headers: dict[str, str]
    query: dict[str, str]

    def __getitem__(self, name: str) -> str: ...

    def json(self) -> Any: ...


def _session(osm: SandboxOsm, r: Request) -> dict[str, Any]:
    return osm.users.session(r.headers.get("authorization"))


def create_user(osm: SandboxOsm, r: Request) -> Answer:
    out = osm.users.create_user(r.json(), _session(osm, r))
    return 201, out, {"Location": f"{ROOT}/admin/v1/users/{out['_id']}"}


def list_users(osm: SandboxOsm, r: Request) -> Answer:
    return 200, osm.users.list_users(_session(osm, r), r.query)


def show_user(osm: SandboxOsm, r: Request) -> Answer:
    return 200, osm.users.show_user(r["id"])


def edit_user(osm: SandboxOsm, r: Request) -> Answer:
    osm.users.edit_user(r["id"], r.json(), _session(osm, r))
    return 204, None


def delete_user(osm: SandboxOsm, r: Request) -> Answer:
    return 202, osm.users.delete_user(r["id"], _session(osm, r))


def create_project(osm: SandboxOsm, r: Request) -> Answer:
    out = osm.users.create_project(r.json(), _session(osm, r))
    return 201, out, {"Location": f"{ROOT}/admin/v1/projects/{out['_id']}"}


def delete_project(osm: SandboxOsm, r: Request) -> Answer:
    return 202, osm.users.delete_project(r["id"], _session(osm, r))


ROUTES = (("POST", "/admin/v1/users", create_user),
          ("GET", "/admin/v1/users", list_users),
          ("GET", f"/admin/v1/users/{ID}", show_user),
          ("PATCH", f"/admin/v1/users/{ID}", edit_user),
          ("DELETE", f"/admin/v1/users/{ID}", delete_user),
          ("POST", "/admin/v1/projects", create_project),
          ("DELETE", f"/admin/v1/projects/{ID}", delete_project))
