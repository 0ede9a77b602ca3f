#!/usr/bin/env python3
"""k8s-cluster: the proxy charm OSM deploys as the execution environment of the cluster
VNF's controller and worker VDUs. It turns VMs prepared by cloud-init into a kubeadm
cluster over SSH and runs the cluster's day-2 operations.

Every action reports failure the way OSM shows it: results["output"] names the failed
step, the command and the tail of its stderr, then event.fail(). No exception escapes.
"""

import json
import logging
import os
from pathlib import Path
from typing import Any, Callable, ClassVar, Dict, Optional

import yaml

# The submodules, not ops' top-level names: ops 1.5 (Python 3.6, Ubuntu 18.04) has only
# these; ops 2.x keeps them.
from ops.charm import ActionEvent, CharmBase
from ops.framework import EventBase, Framework, StoredState
from ops.model import ActiveStatus, BlockedStatus, Relation, StatusBase, WaitingStatus

from cluster_ops import Clock, Node, StepFailed, iface_regex, is_go_duration
from osm_registration import OsmRegistration, RegistrationError, parse_deployment_methods
from remote import (
    Credentials,
    HostKey,
    RemoteError,
    RemoteHost,
    Unreachable,
    decode_host_key,
    generate_key,
)

logger = logging.getLogger(__name__)

ROLES = ("controller", "worker", "standalone")
# The controller publishes join data on JOIN_ENDPOINT; a worker reads it on CONTROL_PLANE.
JOIN_ENDPOINT = "cluster-join"
CONTROL_PLANE = "control-plane"
KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
             "ecdsa-sha2-nistp521")
STDERR_TAIL = 800
# A hook probes the VM briefly; actions wait the RemoteHost's full connect deadline.
HOOK_CONNECT_DEADLINE = 20.0
# A join in a hook waits this long for the API and for Ready (update-status retries).
HOOK_JOIN_TIMEOUT = 300.0
RemoteFactory = Callable[..., Any]


def state_dir() -> Path:
    """Where the unit keeps its SSH key (0700 folder, 0600 key)."""
    return Path(os.environ.get("K8S_CLUSTER_CHARM_STATE", "/var/lib/juju/k8s-cluster-charm"))


def failure_output(exc: Exception) -> str:
    """What OSM shows in detailed-status: the step, the command, the tail of stderr."""
    step = getattr(exc, "step", "") or type(exc).__name__
    text = f"{step} failed: {getattr(exc, 'detail', exc)}"
    command = getattr(exc, "command", "")
    if command:
        text += f"\ncommand: {command}"
    stderr = (getattr(exc, "stderr", "") or "").strip()
    if stderr:
        text += f"\nstderr: {stderr[-STDERR_TAIL:]}"
    return text


class K8sClusterCharm(CharmBase):
    """Day-1 and day-2 of one Kubernetes node, driven over SSH."""

    _stored = StoredState()
    # Replaced in tests: how to reach the VM, and how time passes during waits.
    remote_factory: RemoteFactory = RemoteHost
    clock: Clock = Clock()

    ACTIONS: ClassVar[Dict[str, str]] = {
        "generate-ssh-key": "_generate_ssh_key",
        "get-ssh-public-key": "_get_ssh_public_key",
        "verify-ssh-credentials": "_verify_ssh_credentials",
        "run": "_run_command",
        "init-control-plane": "_init_control_plane",
        "leave-cluster": "_leave_cluster",
        "authorize-controller": "_authorize_controller",
        "get-join-info": "_get_join_info",
        "add-worker": "_add_worker",
        "get-kubeconfig": "_get_kubeconfig",
        "remove-node": "_remove_node",
        "list-nodes": "_list_nodes",
        "register-cluster": "_register_cluster",
    }

    def __init__(self, framework: Framework) -> None:
        super().__init__(framework)
        self._stored.set_default(host_key="")
        for hook in (self.on.install, self.on.config_changed, self.on.start,
                     self.on.update_status, self.on[JOIN_ENDPOINT].relation_joined,
                     self.on[JOIN_ENDPOINT].relation_changed,
                     self.on[CONTROL_PLANE].relation_joined,
                     self.on[CONTROL_PLANE].relation_changed):
            framework.observe(hook, self._on_config_changed)
        for action in self.ACTIONS:
            framework.observe(self.on[action].action, self._on_action)

    # -- status ---------------------------------------------------------------------------
    def _on_config_changed(self, event: EventBase) -> None:
        """Active or blocked, never waiting before configuration: N2VC waits for one of the
        two before it sends the `config` primitive, so a unit waiting for its configuration
        would stall. Once the VM answers, the cluster-join relation is served (controller)
        or used (worker)."""
        role = self.config.get("role", "")
        if role not in ROLES:
            self.unit.status = BlockedStatus(f"role {role!r}: use one of {', '.join(ROLES)}")
            return
        ttl = str(self.config.get("join-token-ttl", "30m"))
        if not is_go_duration(ttl):
            self.unit.status = BlockedStatus(
                f"join-token-ttl {ttl!r}: not a kubeadm duration; use Go syntax, e.g. 30m "
                "or 1h30m (units ns us ms s m h; no d)")
            return
        if not self.config.get("ssh-hostname"):
            self.unit.status = BlockedStatus("waiting for ssh credentials")
            return
        try:
            status = self._reachability(role)
            if isinstance(status, ActiveStatus):
                status = self._relation_work(role) or status
        finally:
            self._close()
        self.unit.status = status

    def _reachability(self, role: str) -> StatusBase:
        """Active when a short SSH probe of the VM succeeds, blocked with the reason if not."""
        try:
            result = self._remote(connect_deadline=HOOK_CONNECT_DEADLINE).run(
                ["true"], timeout=HOOK_CONNECT_DEADLINE)
            if not result.ok:
                raise StepFailed("probe", f"`true` exited {result.exit_status}")
        except (RemoteError, StepFailed) as exc:
            return BlockedStatus(f"cannot reach the VM: {getattr(exc, 'detail', exc)}")
        return ActiveStatus(f"{role} at {self.config['ssh-hostname']}")

    def _relation_work(self, role: str) -> Optional[StatusBase]:
        """Serve (controller) or use (worker) the join data; a status when it matters."""
        try:
            if role == "controller":
                for relation in self.model.relations.get(JOIN_ENDPOINT, []):
                    self._serve_join(relation)
                return None
            if role == "worker":
                return self._join_from_relation()
        except (StepFailed, RemoteError) as exc:
            first = failure_output(exc).splitlines()[0]
            logger.error("cluster-join: %s", first)
            return BlockedStatus(f"cluster-join: {first}"[:120])
        return None

    # -- the cluster-join relation (join data in Juju's database, never in OSM's) ----------
    def _serve_join(self, relation: Relation) -> None:
        """Publish endpoint, CA hash and a short-lived token to the related worker; delete
        the token once the worker has joined. Nothing before the control plane is up."""
        node = self._node()
        if not node.initialised():
            return
        mine = relation.data[self.unit]
        worker = next(iter(relation.units), None)
        theirs = relation.data[worker] if worker is not None else {}
        if theirs.get("node-name"):  # joined: its token has done its job
            if mine.get("token"):
                node.delete_token(mine["token"])
                del mine["token"]
            return
        request = theirs.get("token-request", "")
        if mine.get("token") and mine.get("served-request", "") == request:
            return
        if mine.get("token"):
            node.delete_token(mine["token"])
        mine.update(node.join_data())
        mine["token"] = node.create_token(str(self.config.get("join-token-ttl", "30m")),
                                          f"osm-mec join of {relation.app.name}")
        mine["served-request"] = request
        logger.info("published join data to %s", relation.app.name)

    def _join_from_relation(self) -> Optional[StatusBase]:
        """Join with the controller's relation data, once it is there and the VM is ready."""
        relation = self.model.get_relation(CONTROL_PLANE)
        if relation is None:
            return None
        mine = relation.data[self.unit]
        controller = next(iter(relation.units), None)
        data = relation.data[controller] if controller is not None else {}
        node = self._node()
        if node.joined():
            if not mine.get("node-name"):
                mine["node-name"] = node.hostname()
            return None
        if mine.get("node-name"):  # joined once and left since: osm-mec rejoins it
            return None
        if not all(data.get(k) for k in ("endpoint", "ca-cert-hash", "token")):
            return WaitingStatus("waiting for join data from the controller")
        if not node.prepared():
            return WaitingStatus("waiting for cloud-init to prepare the node")
        host = str(data["endpoint"]).split("://", 1)[-1].rsplit(":", 1)[0]
        try:
            result = node.join_cluster(host, data["token"], data["ca-cert-hash"],
                                       prepare_timeout=0, ready_timeout=HOOK_JOIN_TIMEOUT)
        except StepFailed as exc:
            if exc.step == "kubeadm-join":  # e.g. the token expired: ask for a fresh one
                mine["token-request"] = str(int(mine.get("token-request") or 0) + 1)
            raise
        mine["node-name"] = result["node-name"]
        logger.info("joined the cluster as %s", result["node-name"])
        return None

    # -- plumbing -------------------------------------------------------------------------
    def _on_action(self, event: ActionEvent) -> None:
        """Run the action's handler; turn every failure into results['output'] + fail."""
        kind = event.handle.kind  # "<name>_action"; no str.removesuffix on Python 3.8
        name = kind[:-len("_action")].replace("_", "-")
        handler: Callable[[ActionEvent], Dict[str, Any]] = getattr(self, self.ACTIONS[name])
        logger.info("action %s started", name)
        try:
            event.set_results(handler(event))
        except (StepFailed, RemoteError, RegistrationError, ValueError, KeyError) as exc:
            output = failure_output(exc)
            logger.error("action %s failed: %s", name, output.splitlines()[0])
            event.set_results({"output": output})
            event.fail(output.splitlines()[0])
        except Exception as exc:  # an action must never raise
            output = f"unexpected error: {type(exc).__name__}: {exc}"
            logger.exception("action %s crashed", name)
            event.set_results({"output": output})
            event.fail(output)
        finally:
            self._close()

    _host: Any = None

    def _key_path(self) -> Path:
        return state_dir() / "id_ssh"

    def _pin(self, key: HostKey) -> None:
        self._stored.host_key = f"{key.key_type} {key.data}"
        logger.info("pinned the VM's %s host key", key.key_type)

    def _remote(self, **options: float) -> Any:
        if self._host is None:
            host = self.config.get("ssh-hostname", "")
            if not host:
                raise StepFailed("connect", "ssh-hostname is not set: run the config "
                                 "primitive (ssh-hostname, ssh-username) first")
            key = self._key_path()
            credentials = Credentials(
                host=str(host), username=str(self.config.get("ssh-username", "ubuntu")),
                port=int(self.config.get("ssh-port", 22)),
                password=str(self.config.get("ssh-password") or "") or None,
                key_filename=str(key) if key.exists() else None)
            self._host = self.remote_factory(credentials,
                                             pinned=decode_host_key(self._stored.host_key),
                                             on_first_use=self._pin, **options)
        return self._host

    def _node(self) -> Node:
        return Node(self._remote(), self.clock)

    def _close(self) -> None:
        if self._host is not None:
            self._host.close()
            self._host = None

    def _require_role(self, *roles: str) -> None:
        role = self.config.get("role", "")
        if role not in roles:
            raise StepFailed("role", f"this action runs on a {' or '.join(roles)} unit; this "
                             f"unit's role is {role!r}")

    @staticmethod
    def _params(event: ActionEvent, *required: str) -> Dict[str, Any]:
        params = dict(event.params)
        missing = [name for name in required if params.get(name) in (None, "")]
        if missing:
            raise StepFailed("parameters", f"missing required parameter(s): {', '.join(missing)}")
        return params

    # -- OSM's standard proxy actions -----------------------------------------------------
    def _generate_ssh_key(self, event: ActionEvent) -> Dict[str, Any]:
        path = self._key_path()
        if path.exists():
            return {"output": "the unit already has an SSH key; kept it"}
        private, public = generate_key(str(self.config.get("ssh-key-type", "rsa")),
                                       int(self.config.get("ssh-key-bits", 4096)))
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(private)
        path.with_suffix(".pub").write_text(public + "\n")
        return {"output": "generated a new SSH key"}

    def _get_ssh_public_key(self, event: ActionEvent) -> Dict[str, Any]:
        pub = self._key_path().with_suffix(".pub")
        if not pub.exists():
            raise StepFailed("get-ssh-public-key", "no key yet: run generate-ssh-key first")
        return {"pubkey": pub.read_text().strip()}

    def _verify_ssh_credentials(self, event: ActionEvent) -> Dict[str, Any]:
        try:
            result = self._remote().run(["true"], timeout=30)
        except RemoteError as exc:
            event.set_results({"verified": "false"})
            raise exc
        if not result.ok:
            event.set_results({"verified": "false"})
            raise StepFailed("verify-ssh-credentials", f"`true` exited {result.exit_status}",
                             result.command, result.stderr)
        return {"verified": "true"}

    def _run_command(self, event: ActionEvent) -> Dict[str, Any]:
        command = self._params(event, "command")["command"]
        result = self._remote().run_line(command, timeout=float(event.params.get("timeout",
                                                                                  600)))
        if not result.ok:
            raise StepFailed("run", f"exit status {result.exit_status}", result.command,
                             result.stderr)
        return {"output": result.stdout}

    # -- day 1 ----------------------------------------------------------------------------
    def _cni_manifest(self, cni: str, pod_cidr: str, cluster_cidr: str = "") -> str:
        path = self.charm_dir / "cni" / f"{cni}.yaml"
        if not path.exists():
            raise StepFailed("install-cni", f"{path.name} is not in the charm: use flannel (the "
                             "charm ships only flannel's manifest, in cni/)")
        text = path.read_text().replace("__POD_CIDR__", pod_cidr)
        if cluster_cidr:  # pod traffic on cluster-net, not the default route's interface
            return text.replace("__IFACE_ARG__", f"--iface-regex={iface_regex(cluster_cidr)}")
        return text.replace(', "__IFACE_ARG__"', "")

    def _storage_manifest(self, storage: str) -> str:
        if storage == "none":
            return ""
        path = self.charm_dir / "storage" / f"{storage}.yaml"
        if not path.exists():
            raise StepFailed("default-storage", f"storage {storage!r}: use local-path or none")
        return path.read_text()

    def _init_control_plane(self, event: ActionEvent) -> Dict[str, Any]:
        self._require_role("controller")
        p = self._params(event, "advertise-address", "pod-cidr", "service-cidr",
                         "kubernetes-version", "cni")
        manifest = self._cni_manifest(p["cni"], p["pod-cidr"], p.get("cluster-net-cidr", ""))
        storage = str(p.get("storage", "local-path"))
        storage_manifest = self._storage_manifest(storage)
        node = self._node()
        results = node.init_control_plane(
            advertise=p["advertise-address"], pod_cidr=p["pod-cidr"],
            service_cidr=p["service-cidr"], version=str(p["kubernetes-version"]),
            cni_manifest=manifest, mgmt_address=str(self.config.get("ssh-hostname", "")),
            ready_timeout=float(p.get("ready-timeout", 600)))
        if storage_manifest:
            results["storage-class"] = node.install_default_storage(storage_manifest, storage)
        for relation in self.model.relations.get(JOIN_ENDPOINT, []):
            self._serve_join(relation)  # workers related before init can join now
        return results

    def _leave_cluster(self, event: ActionEvent) -> Dict[str, Any]:
        try:
            return self._node().leave_cluster()
        except (Unreachable, StepFailed) as exc:
            if isinstance(exc, StepFailed) and exc.step != "connect":
                raise
            # The VM is already gone (or was never configured): a scale-in must not fail on
            # that. A VM that answers but refuses our key, shows another host key or hangs
            # is not gone: that fails, with the reason in OSM's detailed status.
            return {"output": f"node unreachable, nothing to clean: {exc}"}

    def _authorize_controller(self, event: ActionEvent) -> Dict[str, Any]:
        """Worker: let the controller's unit log in to this VM to join it (add-worker). Only
        public material goes through OSM: the controller's public key in, this VM's address
        and pinned host key out."""
        self._require_role("worker")
        given = str(self._params(event, "public-key")["public-key"]).strip()
        key = " ".join(given.split()[:2])
        if key.split(" ", 1)[0] not in KEY_TYPES or "\n" in given or len(key.split()) != 2:
            raise StepFailed("parameters", f"public-key: not an OpenSSH public key line (use "
                             f"one of {', '.join(KEY_TYPES)})")
        node = self._node()
        node.authorize_key(key)
        joined = node.joined()
        return {"address": self.config.get("ssh-hostname", ""),
                "port": str(self.config.get("ssh-port", 22)),
                "username": self.config.get("ssh-username", "ubuntu"),
                "host-key": self._stored.host_key,
                "related": "true" if self.model.get_relation(CONTROL_PLANE) else "false",
                "joined": "true" if joined else "false"}

    # -- day 2 ----------------------------------------------------------------------------
    def _get_join_info(self, event: ActionEvent) -> Dict[str, Any]:
        """The API endpoint and the CA's hash: public, no token (tokens go through the
        cluster-join relation or add-worker, never through OSM)."""
        self._require_role("controller")
        return self._node().join_data()

    def _add_worker(self, event: ActionEvent) -> Dict[str, Any]:
        """Controller: join the worker VM at `address` itself, over SSH with this unit's key
        (the worker's authorize-controller let it in) and the host key it reported. The
        token is created for this join, used and deleted here: it never leaves this unit
        except towards the worker VM."""
        self._require_role("controller")
        p = self._params(event, "address", "host-key")
        key = self._key_path()
        if not key.exists():
            raise StepFailed("add-worker", "this unit has no SSH key: run generate-ssh-key")
        host_key = decode_host_key(str(p["host-key"]))
        worker = self.remote_factory(
            Credentials(host=str(p["address"]), username=str(p.get("username") or "ubuntu"),
                        port=int(p.get("port", 22)), key_filename=str(key)),
            pinned=host_key, on_first_use=lambda found: None)
        controller = self._node()
        token = ""
        try:
            data = controller.join_data()
            token = controller.create_token(str(self.config.get("join-token-ttl", "30m")),
                                            f"osm-mec add-worker {p['address']}")
            host = data["endpoint"].split("://", 1)[-1].rsplit(":", 1)[0]
            result = Node(worker, self.clock).join_cluster(
                host, token, data["ca-cert-hash"],
                ready_timeout=float(p.get("ready-timeout", 900)))
            Node(worker, self.clock).revoke_key(key.with_suffix(".pub").read_text().strip())
            return result
        finally:
            if token:
                controller.delete_token(token)
            worker.close()

    def _server_url(self) -> str:
        return f"https://{self.config.get('ssh-hostname')}:6443"

    def _get_kubeconfig(self, event: ActionEvent) -> Dict[str, Any]:
        self._require_role("controller")
        p = event.params
        kubeconfig = self._node().kubeconfig(p.get("service-account", "osm-admin"),
                                             p.get("namespace", "kube-system"),
                                             int(p.get("duration", 31536000)), self._server_url())
        return {"kubeconfig": kubeconfig}

    def _remove_node(self, event: ActionEvent) -> Dict[str, Any]:
        self._require_role("controller")
        p = self._params(event, "node")
        return self._node().remove_node(p["node"], int(p.get("drain-timeout", 300)))

    def _list_nodes(self, event: ActionEvent) -> Dict[str, Any]:
        self._require_role("controller")
        return {"nodes": json.dumps(self._node().list_nodes())}

    def _register_cluster(self, event: ActionEvent) -> Dict[str, Any]:
        self._require_role("controller")
        p = self._params(event, "osm-url", "osm-token", "vim-account", "cluster-name")
        methods = parse_deployment_methods(str(p.get("deployment-methods") or ""))
        node = self._node()
        kubeconfig = yaml.safe_load(node.kubeconfig("osm-admin", "kube-system", 31536000,
                                                    self._server_url()))
        version = node.server_version()
        registration = OsmRegistration(
            p["osm-url"], p["osm-token"], verify_tls=bool(p.get("verify-tls", True)), timeout=float(p.get("timeout", 600)),
            poll=self.clock.poll, sleep=self.clock.sleep, now=self.clock.now)
        result = registration.register(p["cluster-name"], p["vim-account"], kubeconfig,
                                       version, p.get("vim-network", ""), methods)
        return {"cluster-id": result["cluster-id"], "state": result["state"],
                "created": "true" if result["created"] else "false",
                "deployment-methods": result["deployment-methods"]}

def main() -> None:
    """Run the charm with the vendored ops: ops.main(...) on ops 2.x, ops.main.main(...) on
    ops 1.5 (whose package does not export main)."""
    import ops
    if callable(getattr(ops, "main", None)):
        ops.main(K8sClusterCharm)
    else:  # ops 1.5
        from ops.main import main as legacy_main
        legacy_main(K8sClusterCharm)


if __name__ == "__main__":  # pragma: no cover
    main()
