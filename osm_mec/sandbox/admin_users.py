"""Users, projects and roles of a sandbox OSM as NBI's internal authentication backend keeps
them (``admin_topics.UserTopicAuth``/``ProjectTopicAuth``, ``authconn_internal``), with NBI's
status codes, answers and bus records, checked request by request against OSM's real NBI
(tests/realnbi/test_differential.py).

What NBI does and the sandbox repeats:
- at first start one user ``admin`` (password ``admin``) with role ``system_admin`` in
  project ``admin``; a Charmed OSM starts exactly so (NBI's ``create_admin_user``);
- passwords must have 8+ characters with a lower- and an upper-case letter, a digit and one
  of ``!@#$%^&*()-_=+{};:,<.>`` (422), and may not repeat one of the user's last ones (409);
- a user changes its own password with ``old_password`` (409 when wrong); another user's
  password needs ``system_admin_id`` (400 otherwise); the path names the user by ``_id``
  (a user name there counts as "another user", as in NBI);
- a project in use by a user, your own project and ``admin`` cannot be deleted (409); nor
  your own login user;
- the ``users`` bus record of a new user carries the password HASH; an ``edited`` record
  carries the request as sent (NBI publishes a new password in clear on its own bus: the
  sandbox masks it, as it masks VIM passwords).
Not simulated: NBI's ``user_management`` (password and account expiry; off in the real-NBI
harness too) and the filtering of other collections by project.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from ..osm.credentials import Credentials
from .inputs import check
from .store import Conflict, FormatError, InvalidRequest, NotAuthenticated, NotFound, Store, new_id

SHORT_NAME = {"type": "string", "minLength": 1, "maxLength": 60,
              "pattern": "^[^,;()\\.\\$'\"]+$"}
TEXT = {"type": "string", "minLength": 1, "maxLength": 255}
OLD_PASSWORD = {"type": "string", "minLength": 1, "maxLength": 60}
PASSWORD = {"type": "string", "pattern": "^.*(?=.{8,})((?=.*[!@#$%^&*()\\-_=+{};:,<.>]){1})"
                                         "(?=.*\\d)((?=.*[a-z]){1})((?=.*[A-Z]){1}).*$"}
EMAIL = {"type": "string", "minLength": 1, "maxLength": 320,
         "pattern": "^[a-zA-Z0-9+_.-]+@[a-zA-Z0-9.-]+$"}
FLAG = {"type": "boolean"}
MAPPINGS = {"type": "array", "minItems": 1, "items": {
    "type": "object", "properties": {"project": SHORT_NAME, "role": SHORT_NAME},
    "required": ["project", "role"], "additionalProperties": False}}
NAME_LIST = {"type": "array", "minItems": 1, "items": SHORT_NAME}
USER_NEW = {"type": "object", "additionalProperties": False, "required": ["username", "password"],
            "properties": {"username": TEXT, "email_id": EMAIL, "domain_name": SHORT_NAME,
                           "password": PASSWORD, "projects": NAME_LIST,
                           "project_role_mappings": MAPPINGS}}
USER_EDIT = {"type": "object", "additionalProperties": False, "minProperties": 1,
             "properties": {"password": PASSWORD, "email_id": EMAIL,
                            "old_password": OLD_PASSWORD, "username": TEXT,
                            "project_role_mappings": MAPPINGS,
                            "add_project_role_mappings": MAPPINGS,
                            "remove_project_role_mappings": MAPPINGS,
                            "system_admin_id": {"type": "string"}, "unlock": FLAG,
                            "renew": FLAG}}
PROJECT_NEW = {"type": "object", "additionalProperties": False, "required": ["name"],
               "properties": {"name": SHORT_NAME, "admin": FLAG, "domain_name": SHORT_NAME,
                              "quotas": {"type": "object"}}}
SYSTEM_ADMIN, PROJECT_ADMIN = "system_admin", "project_admin"
ROLE_PERMISSIONS = {SYSTEM_ADMIN: {"default": True, "admin": True},
                    PROJECT_ADMIN: {"default": True, "admin": False, "projects": False,
                                    "users": False, "roles": False}}
HASH_ROUNDS = 20_000  # PBKDF2 rounds: a sandbox needs a real hash, not bcrypt's cost
SECRET_MASK = "********"
Publish = Callable[[str, str, dict[str, Any], float], None]


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``<salt hex>$<PBKDF2-SHA256 hex>`` of a password."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, HASH_ROUNDS)
    return f"{salt.hex()}${digest.hex()}"


def password_matches(password: str, hashed: str) -> bool:
    salt, _, _ = hashed.partition("$")
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), hashed)


class Directory:
    """The users, projects and roles of one sandbox OSM, and its logins."""

    def __init__(self, store: Store, now: Callable[[], float], publish: Publish,
                 admin: Credentials, admin_project: dict[str, Any],
                 token_lifetime: float) -> None:
        self.store, self.now, self.publish = store, now, publish
        self.token_lifetime = token_lifetime
        self.lock = threading.RLock()
        self.users: dict[str, dict[str, Any]] = {}
        self.roles: dict[str, dict[str, Any]] = {
            name: {"name": name, "_id": new_id(), "permissions": dict(permissions),
                   "_admin": {"created": now(), "modified": now()}}
            for name, permissions in ROLE_PERMISSIONS.items()}
        self._add_user(admin.user, admin.password, [
            {"project": admin_project["_id"], "role": self.roles[SYSTEM_ADMIN]["_id"]}])

    # -- look-ups ---------------------------------------------------------------------------
    def _project(self, name_or_id: str) -> dict[str, Any]:
        found = next((p for p in self.store.find("projects")
                      if name_or_id in (p["_id"], p["name"])), None)
        if found is None:
            key = "_id" if is_uuid(name_or_id) else "name"
            raise NotFound(f"project with {{'{key}': '{name_or_id}'}} not found")
        return found

    def _role(self, name_or_id: str) -> dict[str, Any]:
        found = next((r for r in self.roles.values() if name_or_id in (r["_id"], r["name"])),
                     None)
        if found is None:
            key = "_id" if is_uuid(name_or_id) else "name"
            raise NotFound(f"role with {{'{key}': '{name_or_id}'}} not found")
        return found

    def _user(self, name_or_id: str) -> dict[str, Any] | None:
        return next((u for u in self.users.values()
                     if name_or_id in (u["_id"], u["username"])), None)

    def session(self, header: str | None) -> dict[str, Any]:
        """The token of an authorised request (the server checked it first)."""
        token_id = (header or "").removeprefix("Bearer ").strip()
        token = self.store.data["tokens"].get(token_id)
        if token is None:
            raise NotAuthenticated("Invalid token")
        return token

    def _is_system_admin(self, session: dict[str, Any]) -> bool:
        return any(r["name"] == SYSTEM_ADMIN for r in session.get("roles", []))

    def _require_admin(self, session: dict[str, Any], what: str) -> None:
        if not self._is_system_admin(session):
            raise NotAuthenticated("Access denied: lack of permissions.")

    def _new_name(self, session: dict[str, Any], body: Any, what: str, schema: dict[str, Any],
                  field: str, uuid_refusal: str) -> str:
        """The name of a new user or project (``body[field]``), as NBI checks a creation:
        the caller is a system admin, the body matches ``schema``, the name is no UUID (those
        are ids); ``uuid_refusal`` is NBI's message for one, ``{}`` standing for the name."""
        self._require_admin(session, f"create {what}")
        check(body, schema)
        name: str = body[field]
        if is_uuid(name):
            raise FormatError(uuid_refusal.format(name))
        return name

    # -- tokens -----------------------------------------------------------------------------
    def login(self, body: Any) -> dict[str, Any]:
        """NBI's POST /admin/v1/tokens with username and password."""
        if not isinstance(body, dict) or not body.get("username"):
            raise NotAuthenticated("Provide credentials: username/password or Authorization "
                               "Bearer token")
        with self.lock:
            user = self._user(str(body["username"]))
            if user is None or not password_matches(str(body.get("password", "")),
                                                    user["password"]):
                if user is not None:
                    user["_admin"]["retry_count"] += 1
                raise NotAuthenticated("Invalid username/password")
            mappings = user["project_role_mappings"]
            wanted = body.get("project_id") or (mappings[0]["project"] if mappings else None)
            if not wanted:
                raise NotAuthenticated("can't find a default project for this user")
            project = next((p for p in self.store.find("projects")
                            if str(wanted) in (p["_id"], p["name"])), None)
            if project is None or project["_id"] not in {m["project"] for m in mappings}:
                raise NotAuthenticated(f"project {wanted} not allowed for this user")
            roles = [{"name": self.roles_by_id()[m["role"]]["name"], "id": m["role"]}
                     for m in mappings if m["project"] == project["_id"]]
            now = time.time()
            last = user["_admin"]["last_token_time"]
            user["_admin"].update({"last_token_time": now, "retry_count": 0})
        token_id = secrets.token_urlsafe(32)
        token = {"issued_at": now, "expires": now + self.token_lifetime, "_id": token_id,
                 "id": token_id, "project_id": project["_id"], "project_name": project["name"],
                 "username": user["username"], "user_id": user["_id"],
                 "admin": project["name"] == "admin" or bool(project.get("admin")),
                 "roles": roles, "login_count": 0, "last_login": last, "admin_show": False,
                 "user_show": False, "remote_port": 0, "remote_host": "127.0.0.1"}
        self.store.add("tokens", token)
        return copy.deepcopy(token)

    def roles_by_id(self) -> dict[str, dict[str, Any]]:
        return {r["_id"]: r for r in self.roles.values()}

    # -- users ------------------------------------------------------------------------------
    def _add_user(self, username: str, password: str, mappings: list[dict[str, str]]
                  ) -> dict[str, Any]:
        now, hashed = self.now(), hash_password(password)
        user: dict[str, Any] = {
            "username": username, "password": hashed, "hashing_function": "pbkdf2-sha256",
            "project_role_mappings": mappings, "_id": new_id(),
            "_admin": {"created": now, "modified": now, "user_status": "active",
                       "retry_count": 0, "last_token_time": now, "password_history": [hashed]}}
        self.users[user["_id"]] = user
        return user

    def show_user(self, name_or_id: str) -> dict[str, Any]:
        """A user as NBI shows it: mappings with project and role names."""
        with self.lock:
            user = self._user(name_or_id)
            if user is None:
                raise NotFound(f"User '{name_or_id}' not found")
            shown = copy.deepcopy(user)
        roles = self.roles_by_id()
        projects = {p["_id"]: p["name"] for p in self.store.find("projects")}
        shown["project_role_mappings"] = [
            {"project": m["project"], "role": m["role"],
             "project_name": projects.get(m["project"]), "role_name": roles[m["role"]]["name"]}
            for m in user["project_role_mappings"]]
        shown["projects"] = sorted({str(m["project_name"])
                                    for m in shown["project_role_mappings"]})
        return shown

    def list_users(self, session: dict[str, Any], query: dict[str, str]) -> list[dict[str, Any]]:
        """Every user for a system admin, else only the caller (NBI's "Bug 853" filter)."""
        with self.lock:
            ids = list(self.users)
        shown = [self.show_user(i) for i in ids]
        if not self._is_system_admin(session):
            shown = [u for u in shown if u["_id"] == session["user_id"]]
        return [u for u in shown if all(str(u.get(k)) == v for k, v in query.items())]

    def _mappings(self, body: dict[str, Any]) -> list[dict[str, str]]:
        wanted = list(body.get("project_role_mappings") or [])
        wanted += [{"project": p, "role": PROJECT_ADMIN} for p in body.get("projects") or []]
        mappings: list[dict[str, str]] = []
        for item in wanted:
            mapping = {"project": self._project(item["project"])["_id"],
                       "role": self._role(item["role"])["_id"]}
            if mapping not in mappings:
                mappings.append(mapping)
        return mappings

    def create_user(self, body: Any, session: dict[str, Any]) -> dict[str, str]:
        """NBI's POST /admin/v1/users: 201 with the new _id."""
        username = self._new_name(session, body, "users", USER_NEW, "username",
                                  "username '{}' cannot have a uuid format")
        with self.lock:
            if self._user(username) is not None:
                raise Conflict(f"username '{username}' is already used")
            user = self._add_user(username, body["password"], self._mappings(body))
        content = {k: v for k, v in user.items() if k != "_admin"}
        self.publish("users", "created", copy.deepcopy(content), self.now())
        return {"_id": user["_id"], "id": user["_id"]}

    def edit_user(self, user_id: str, body: Any, session: dict[str, Any]) -> None:
        """NBI's PATCH /admin/v1/users/<id>: a password change (own, or another user's with
        ``system_admin_id``) or new project-role mappings; 204."""
        check(body, USER_EDIT)
        with self.lock:
            user = self._user(user_id)
            if user is None:
                raise NotFound(f"User '{user_id}' not found")
            other = user_id != session["user_id"] and not body.get("system_admin_id")
            if (body.get("password") or body.get("username")) and other:
                what = "password" if body.get("password") else "username"
                raise InvalidRequest(f"You are not allowed to change other users {what}")
            if body.get("password") and not body.get("old_password") \
                    and not body.get("system_admin_id"):
                raise InvalidRequest("Password change requires old password or admin ID")
            if body.get("old_password") and not password_matches(body["old_password"],
                                                                  user["password"]):
                raise Conflict("Incorrect password")
            if body.get("system_admin_id"):
                self._require_admin(session, "change other users")
            if body.get("password"):
                if any(password_matches(body["password"], old)
                       for old in user["_admin"]["password_history"]):
                    raise Conflict("Password is used before")
                user["password"] = hash_password(body["password"])
                user["_admin"]["password_history"] = (
                    user["_admin"]["password_history"] + [user["password"]])[-3:]
            if body.get("username"):
                user["username"] = body["username"]
            if body.get("project_role_mappings"):
                user["project_role_mappings"] = self._mappings(body)
            user["_admin"]["modified"] = self.now()
        changes = {k: (SECRET_MASK if k in ("password", "old_password") else v)
                   for k, v in body.items()}
        self.publish("users", "edited", {"_id": user_id, "changes": changes}, self.now())

    def delete_user(self, name_or_id: str, session: dict[str, Any]) -> dict[str, Any]:
        """NBI's DELETE /admin/v1/users/<id>: the user and its tokens; 202 {_id: true}."""
        self._require_admin(session, "delete users")
        with self.lock:
            user = self._user(name_or_id)
            if user is None:
                raise NotFound(f"User with {{'_id': '{name_or_id}'}} not found")
            if user["_id"] == session["user_id"]:
                raise Conflict("You cannot delete your own login user ")
            shown = self.show_user(user["_id"])
            del self.users[user["_id"]]
        for token in list(self.store.find("tokens", user_id=user["_id"])):
            self.store.remove("tokens", token["_id"])
        content = {k: v for k, v in shown.items() if k != "_admin"}
        self.publish("users", "deleted", content, self.now())
        return {"_id": True}

    # -- projects ---------------------------------------------------------------------------
    def create_project(self, body: Any, session: dict[str, Any]) -> dict[str, str]:
        """NBI's POST /admin/v1/projects: 201 with the new _id."""
        name = self._new_name(session, body, "projects", PROJECT_NEW, "name",
                              "project name '{}' cannot have an uuid format")
        now = self.now()
        with self.lock:
            if any(p["name"] == name for p in self.store.find("projects")):
                raise Conflict(f"project '{name}' exists")
            project = {**body, "_id": new_id(), "_admin": {"created": now, "modified": now}}
            self.store.add("projects", project)
        self.publish("project", "created", {k: v for k, v in project.items() if k != "_admin"},
                     now)
        return {"_id": project["_id"], "id": project["_id"]}

    def delete_project(self, name_or_id: str, session: dict[str, Any]) -> dict[str, Any]:
        """NBI's DELETE /admin/v1/projects/<id>: refused while anything uses it."""
        self._require_admin(session, "delete projects")
        with self.lock:
            project = self._project(name_or_id)
            pid, name = project["_id"], project["name"]
            if pid == session["project_id"]:
                raise Conflict("You cannot delete your own project")
            if name == "admin":
                raise Conflict("You cannot delete project 'admin'")
            for user in self.users.values():
                if any(m["project"] == pid for m in user["project_role_mappings"]):
                    raise Conflict(f"Project '{name}' ({pid}) is being used by user "
                                       f"'{user['username']}'")
            for collection, title, field in (("vnfds", "VNF Descriptor", "id"),
                                             ("nsds", "NS Descriptor", "id")):
                for doc in self.store.find(collection):
                    admin = doc.get("_admin") or {}
                    if pid in admin.get("projects_read", []) + admin.get("projects_write", []):
                        raise Conflict(f"Project '{name}' ({pid}) is being used by "
                                           f"{title} '{doc.get(field)}'")
            self.store.remove("projects", pid)
        self.publish("project", "deleted", {"_id": pid, "name": name}, self.now())
        return {"_id": {"deleted": 1}}
