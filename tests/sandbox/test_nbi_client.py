"""The NBI client against the sandbox: tokens and re-authentication, the retry and no-retry
rules, recovery of a create whose answer was lost, TLS verification, credentials."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from osm_mec.core.errors import UsageError
from osm_mec.osm.credentials import Credentials, load_credentials
from osm_mec.osm.nbi import NbiClient, NbiError, NbiFailure, OsmUnreachable, RetryPolicy
from osm_mec.sandbox.faults import parse_faults

from .conftest import CREDENTIALS, FAST_RETRY, client_for


class CountingSession(requests.Session):
    """A real requests session that records what it sent (method, path)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str]] = []

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        self.sent.append((method, url.split("/osm", 1)[1].split("?")[0]))
        return super().request(method, url, *args, **kwargs)


def counting(client: NbiClient) -> CountingSession:
    session = CountingSession()
    session.headers.update(client.session.headers)
    client.session = session
    return session


def test_token_is_lazy_and_renewed_once_on_401(make_sandbox) -> None:
    sandbox = make_sandbox(faults=parse_faults([{"kind": "token-expiry", "seconds": 0.2}]))
    client = client_for(sandbox)
    sent = counting(client)
    assert sent.sent == []  # nothing until the first call
    client.list_admin("vim")
    assert sent.sent == [("POST", "/admin/v1/tokens"), ("GET", "/admin/v1/vim_accounts")]
    first = client.token()
    import time
    time.sleep(0.3)  # the sandbox's tokens last 0.2 s here
    client.list_admin("vim")
    assert sent.sent[2:] == [("GET", "/admin/v1/vim_accounts"), ("POST", "/admin/v1/tokens"),
                             ("GET", "/admin/v1/vim_accounts")]
    assert client.token() != first


def test_wrong_password_is_one_clear_error(sandbox) -> None:
    client = NbiClient(sandbox.url, Credentials("admin", "wrong"), retry=FAST_RETRY)
    with pytest.raises(NbiError) as failed:
        client.list_ns()
    assert failed.value.status == 401 and failed.value.method == "POST"
    assert failed.value.path == "/admin/v1/tokens"
    assert "Invalid username/password" in str(failed.value)  # NBI's words
    assert "wrong" not in str(failed.value)


def test_get_retried_on_5xx_post_and_4xx_never(make_sandbox) -> None:
    faults = parse_faults([
        {"kind": "http-error", "method": "GET", "path": "/admin/v1/vim_accounts", "times": 2},
        {"kind": "http-error", "method": "POST", "path": "/admin/v1/vim_accounts",
         "status": 503, "times": 1}])
    sandbox = make_sandbox(faults=faults)
    client = client_for(sandbox)
    sent = counting(client)
    assert {v["name"] for v in client.list_admin("vim")} == {"nsp-vim", "edge-vim"}
    assert sent.sent.count(("GET", "/admin/v1/vim_accounts")) == 3  # two 500s, then 200
    with pytest.raises(NbiError) as post:
        client.create_admin("vim", {"name": "v", "vim_type": "openstack", "vim_url": "u",
                                    "vim_user": "u", "vim_password": "p",
                                    "vim_tenant_name": "t"})
    assert post.value.status == 503 and sent.sent.count(("POST", "/admin/v1/vim_accounts")) == 1
    with pytest.raises(NbiError) as missing:
        client.get_ns("does-not-exist")
    assert missing.value.status == 404
    assert sent.sent.count(("GET", "/nslcm/v1/ns_instances/does-not-exist")) == 1


def test_get_gives_up_after_the_policy_when_osm_is_down() -> None:
    waits: list[float] = []
    client = NbiClient("http://127.0.0.1:9/osm", CREDENTIALS, sleep=waits.append, seed=3,
                       retry=RetryPolicy(attempts=4, base_delay=0.5, max_delay=8))
    client._token = "skip-login"
    with pytest.raises(OsmUnreachable) as down:  # no answer: not an error answer of OSM's
        client.list_ns()
    assert not isinstance(down.value, NbiError) and isinstance(down.value, NbiFailure)
    assert down.value.status == 0 and "no answer" in down.value.detail
    assert len(waits) == 3  # exponential with jitter: [0.25..0.5], [0.5..1], [1..2]
    for attempt, wait in enumerate(waits):
        ceiling = 0.5 * 2 ** attempt
        assert ceiling / 2 <= wait <= ceiling


def test_create_that_times_out_is_recovered_by_name_not_resent(make_sandbox, built,
                                                               profile) -> None:
    from osm_mec.offer.params import instantiation_params

    from .conftest import onboard
    sandbox = make_sandbox(faults=parse_faults([
        {"kind": "slow-answer", "method": "POST", "path": "/nslcm/v1/ns_instances_content",
         "seconds": 1.0, "times": 2},
        {"kind": "slow-answer", "method": "POST", "path": "/admin/v1/vim_accounts",
         "seconds": 1.0, "times": 1}]))
    client = client_for(sandbox, timeout=0.3, recovery_grace=1.5)
    ids = onboard(client_for(sandbox), built, ("baseline_vnf", "baseline_vnf_ns"))
    sent = counting(client)
    vim = client.find_admin("vim", "nsp-vim")["_id"]
    ns_id, op_id = client.create_ns("slow", ids["baseline_vnf_ns"], vim, config=
                                    instantiation_params(profile, "baseline_vnf_ns", "slow"))
    assert sent.sent.count(("POST", "/nslcm/v1/ns_instances_content")) == 1
    assert client.get_ns(ns_id)["name"] == "slow"
    assert client.get_operation(op_id)["lcmOperationType"] == "instantiate"
    assert len(client.list_ns("slow")) == 1
    # a create that NBI refused (422) after the client gave up: not found, not resent
    with pytest.raises(OsmUnreachable) as lost:
        client.create_admin("vim", {"name": "half", "vim_type": "not-a-type"})
    assert lost.value.status == 0 and "was not there 1.5 s later" in lost.value.detail
    assert "may still be creating it" in lost.value.detail  # never "it was not created"
    assert sent.sent.count(("POST", "/admin/v1/vim_accounts")) == 1


def test_tls_verification_ca_bundle_and_insecure(make_sandbox) -> None:
    sandbox = make_sandbox(tls=True)
    assert sandbox.url.startswith("https://")
    with_ca = NbiClient(sandbox.url, CREDENTIALS, verify=str(sandbox.ca_file), retry=FAST_RETRY)
    assert len(with_ca.list_admin("vim")) == 2
    default = NbiClient(sandbox.url, CREDENTIALS, retry=RetryPolicy(attempts=1))
    with pytest.raises(OsmUnreachable) as untrusted:
        default.list_admin("vim")
    assert untrusted.value.code == "SSLError"
    insecure = NbiClient(sandbox.url, CREDENTIALS, verify=False, retry=FAST_RETRY)
    assert len(insecure.list_admin("vim")) == 2


def test_credentials_sources_and_file_mode(tmp_path: Path) -> None:
    secret = tmp_path / "osm.yaml"
    secret.write_text("user: nsp\npassword: from-file\nproject: p1\n")
    os.chmod(secret, 0o644)
    with pytest.raises(UsageError) as loose:
        load_credentials(credentials_file=secret, env={})
    assert "chmod 600" in str(loose.value)
    os.chmod(secret, 0o600)
    assert load_credentials(credentials_file=secret, env={}) == Credentials("nsp", "from-file",
                                                                            "p1")
    env = {"OSM_USER": "envuser", "OSM_PASSWORD": "from-env"}
    assert load_credentials("flag", None, secret, env) == Credentials("flag", "from-env", "p1")
    with pytest.raises(UsageError) as none:
        load_credentials(env={})
    assert "OSM_PASSWORD" in str(none.value)
    assert "from-env" not in repr(load_credentials(env=env))
