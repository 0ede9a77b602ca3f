"""Each CSP's Edge OSM with its own credentials (issue 11 item 2): the Edge OSM starts with
Charmed OSM's initial admin/admin; on first contact the chain replaces that password, creates
a user and a project for the CSP, writes both credentials to 0600 files under the state
directory, and does everything else in the Edge OSM as the CSP's user; a re-run reuses the
files; teardown removes the user, the project and the files. The Main OSM never sees any of
it. Everything runs against sandboxes (real HTTP, real Kafka protocol broker)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import requests

from osm_mec.chain.edge_osm import (
    EdgeAccessFailed,
    EdgeAccounts,
    EdgeOsmAccess,
    accounts_dir,
    new_password,
    read_accounts,
    write_accounts,
)
from osm_mec.chain.run import provision_action, status_action, teardown_action
from osm_mec.osm.credentials import Credentials
from osm_mec.osm.nbi import NbiClient
from osm_mec.sandbox import CHARMED_OSM_INITIAL, TOPICS, Sandbox

from ..sandbox.conftest import FAST_RETRY
from .conftest import run


def _login(url: str, creds: Credentials) -> int:
    return requests.post(f"{url}/admin/v1/tokens", timeout=10, json={
        "username": creds.user, "password": creds.password,
        "project_id": creds.project}).status_code


def _kafka_text(bootstrap: str) -> str:
    """Every record the broker holds on OSM's topics, as one text."""
    from confluent_kafka import Consumer, TopicPartition
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "scan",
                         "enable.auto.commit": False, "log_level": 3})
    try:
        parts = []
        for topic in TOPICS:
            end = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1]
            consumer.assign([TopicPartition(topic, 0, 0)])
            read = 0
            while read < end:
                message = consumer.poll(1.0)
                if message is None:
                    break
                if message.error():
                    continue
                read += 1
                parts.append((message.value() or b"").decode())
        return "\n".join(parts)
    finally:
        consumer.close()


@pytest.fixture()
def edge_osm():
    """A sandbox started as a Charmed OSM starts: admin/admin."""
    with Sandbox(CHARMED_OSM_INITIAL, time_scale=0, vims=()) as sandbox:
        yield sandbox


def test_new_passwords_fit_nbis_policy() -> None:
    import re

    from osm_mec.sandbox.admin_users import PASSWORD
    pattern = re.compile(PASSWORD["pattern"])
    passwords = {new_password() for _ in range(200)}
    assert len(passwords) == 200
    assert all(pattern.search(p) and len(p) != 64 for p in passwords)


def test_first_contact_takes_the_edge_osm_over(edge_osm, tmp_path: Path) -> None:
    directory = tmp_path / "acme.edge-osm"
    access = EdgeOsmAccess(edge_osm.url, directory, "acme", retry=FAST_RETRY)
    creds = access.csp_credentials()
    assert (creds.user, creds.project) == ("acme", "acme")
    accounts = read_accounts(directory)
    assert accounts is not None and accounts.csp == creds
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for name in ("admin.yaml", "csp.yaml"):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600
    assert _login(edge_osm.url, CHARMED_OSM_INITIAL) == 401  # the initial password is gone
    assert _login(edge_osm.url, accounts.admin) == 200
    assert _login(edge_osm.url, creds) == 200
    user = NbiClient(edge_osm.url, accounts.admin).request("GET", "/admin/v1/users/acme")
    assert [(m["project_name"], m["role_name"]) for m in user["project_role_mappings"]] == \
        [("acme", "project_admin")]
    # a re-run reuses the files and changes nothing
    assert EdgeOsmAccess(edge_osm.url, directory, "acme").csp_credentials() == creds
    assert read_accounts(directory) == accounts
    assert len(edge_osm.osm.users.users) == 2


def test_a_run_that_stopped_after_writing_the_files_finishes_with_them(edge_osm,
                                                                       tmp_path: Path) -> None:
    directory = tmp_path / "acme.edge-osm"
    planned = EdgeAccounts(Credentials("admin", new_password(), "admin"),
                           Credentials("acme", new_password(), "acme"))
    write_accounts(directory, planned, edge_osm.url)  # then the run was killed
    assert EdgeOsmAccess(edge_osm.url, directory, "acme").csp_credentials() == planned.csp
    assert _login(edge_osm.url, planned.admin) == 200


def test_a_user_whose_password_is_not_the_files_gets_it(edge_osm, tmp_path: Path) -> None:
    admin = NbiClient(edge_osm.url, CHARMED_OSM_INITIAL)
    admin.request("POST", "/admin/v1/projects", json={"name": "acme"})
    admin.request("POST", "/admin/v1/users", json={
        "username": "acme", "password": "Some0ne!else", "projects": ["acme"]})
    creds = EdgeOsmAccess(edge_osm.url, tmp_path / "d", "acme").csp_credentials()
    assert _login(edge_osm.url, creds) == 200
    assert _login(edge_osm.url, Credentials("acme", "Some0ne!else", "acme")) == 401


def test_an_admin_password_nobody_recorded_stops_with_what_to_do(edge_osm,
                                                                 tmp_path: Path) -> None:
    admin = NbiClient(edge_osm.url, CHARMED_OSM_INITIAL)
    me = admin.request("GET", "/admin/v1/users/admin")
    admin.request("PATCH", f"/admin/v1/users/{me['_id']}",
                  json={"password": "Chang3d!by-hand", "old_password": "admin"})
    directory = tmp_path / "acme.edge-osm"
    with pytest.raises(EdgeAccessFailed, match="refuses its admin user") as caught:
        EdgeOsmAccess(edge_osm.url, directory, "acme").csp_credentials()
    assert str(directory / "admin.yaml") in str(caught.value)
    assert len(edge_osm.osm.users.users) == 1  # nothing created


def test_remove_csp_deletes_its_user_and_project(edge_osm, tmp_path: Path) -> None:
    access = EdgeOsmAccess(edge_osm.url, tmp_path / "d", "acme")
    creds = access.csp_credentials()
    assert access.remove_csp() == ["user acme", "project acme"]
    assert _login(edge_osm.url, creds) == 401
    assert access.remove_csp() == []  # already gone: nothing to do


def test_chain_uses_its_own_edge_credentials_and_teardown_removes_them(osm, dirs) -> None:
    sandbox, options = osm()
    result = run(options, provision_action, "acme", dirs)
    directory = accounts_dir(dirs[0] / "acme.json")
    accounts = read_accounts(directory)
    assert accounts is not None
    edge = sandbox.edges[0]
    assert accounts.admin.password not in (sandbox.credentials.password, "admin")
    assert _login(edge.url, CHARMED_OSM_INITIAL) == 401
    assert _login(edge.url, sandbox.credentials) == 401  # the Main OSM's never opens it
    # after the take-over the chain only used the CSP's user in the Edge OSM
    tokens = list(edge.osm.store.find("tokens"))
    first_csp = min(t["issued_at"] for t in tokens if t["username"] == "acme")
    assert {t["username"] for t in tokens} == {"admin", "acme"}
    assert all(t["issued_at"] <= first_csp for t in tokens if t["username"] == "admin")
    # nothing of it in the Main OSM: records (as its NBI shows them) and its Kafka bus
    main = NbiClient(sandbox.url, sandbox.credentials)
    shown = json.dumps([main.list_ns(), main.request("GET", "/nslcm/v1/vnf_instances"),
                        main.request("GET", "/nslcm/v1/ns_lcm_op_occs"),
                        main.list_admin("k8scluster"), main.list_admin("vim")])
    bus = _kafka_text(sandbox.kafka_bootstrap)
    for secret in (accounts.admin.password, accounts.csp.password):
        assert secret not in shown and secret not in bus
    assert result["objects"]["edge-osm"]["url"] == edge.url
    # status looks into the Edge OSM as the CSP; credentials it refuses are an error that
    # names them, never "no Edge OSM"
    seen = run(options, status_action, "acme", dirs)
    assert all(ns["state"] != "absent (no Edge OSM)" for ns in seen["ns"].values())
    files = {path: path.read_text() for path in (directory / "csp.yaml",
                                                  directory / "admin.yaml")}
    for path, text in files.items():
        for secret in (accounts.csp.password, accounts.admin.password):
            text = text.replace(secret, "Wr0ng-but-valid-passw0rd!")
        path.write_text(text)
    try:
        with pytest.raises(EdgeAccessFailed):
            run(options, status_action, "acme", dirs)
    finally:
        for path, text in files.items():
            path.write_text(text)
    # a second provision finds the files and reuses them
    run(options, provision_action, "acme", dirs)
    assert read_accounts(directory) == accounts
    down = run(options, teardown_action, "acme", dirs)
    assert {"edge: user acme", "edge: project acme"} <= set(down["deleted"])
    assert not directory.exists()
    assert [u["username"] for u in edge.osm.users.users.values()] == ["admin"]
    assert [p["name"] for p in edge.osm.store.find("projects")] == ["admin"]
