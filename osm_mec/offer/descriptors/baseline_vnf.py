"""The paper's dummy VNF: one VM whose only day-1 step is opening SSH through the charm."""

from __future__ import annotations

from typing import Any

from ..assets import charm_dir
from ..charm_interface import load_charm_interface
from ..profile import Profile
from .common import DF_ID, INSTANTIATION_LEVEL_ID, header, initial_primitive
from .k8s_cluster_vnf import CHARM, EE_ID

PACKAGE = "baseline_vnf"
VDU = "baseline"
CLOUD_INIT = "baseline-cloud-init.cfg"
CLOUD_INIT_TEXT = """#cloud-config
# Baseline VNF of osm-mec: nothing to install; SSH key login for the proxy charm.
ssh_pwauth: false
write_files:
  - path: /etc/ssh/sshd_config.d/60-osm-mec.conf
    permissions: "0644"
    content: |
      PubkeyAuthentication yes
      PasswordAuthentication no
"""


def descriptor(profile: Profile) -> dict[str, Any]:
    """One VM with an SSH-only day-1 (the charm's config and verify-ssh-credentials)."""
    charm = load_charm_interface(charm_dir(CHARM))
    flavour = profile["flavours"]["worker"]
    image = profile["image"]
    user = profile["cluster"]["ssh_user"]
    vnfd = header(profile, PACKAGE, "Baseline VNF: one VM, day-1 only opens SSH")
    vnfd.update({
        "mgmt-cp": "vdu-mgmt-ext",
        "sw-image-desc": [{"id": image, "name": image, "image": image}],
        "virtual-compute-desc": [{"id": "baseline-compute",
                                  "virtual-cpu": {"num-virtual-cpu": flavour["vcpu"]},
                                  "virtual-memory": {"size": float(flavour["ram_gib"])}}],
        "virtual-storage-desc": [{"id": "baseline-storage", "type-of-storage": "root-storage",
                                  "size-of-storage": flavour["disk_gib"]}],
        "vdu": [{
            "id": VDU, "name": VDU, "description": "Baseline VM",
            "cloud-init-file": CLOUD_INIT,
            "int-cpd": [{"id": "vdu-mgmt", "virtual-network-interface-requirement": [
                {"name": "eth0", "position": 1, "virtual-interface": {"type": "PARAVIRT"}}]}],
            "virtual-compute-desc": "baseline-compute",
            "virtual-storage-desc": ["baseline-storage"],
            "sw-image-desc": image,
        }],
        "ext-cpd": [{"id": "vdu-mgmt-ext", "int-cpd": {"vdu-id": VDU, "cpd": "vdu-mgmt"}}],
        "df": [{
            "id": DF_ID,
            "vdu-profile": [{"id": VDU, "min-number-of-instances": 1,
                             "max-number-of-instances": 1}],
            "instantiation-level": [{"id": INSTANTIATION_LEVEL_ID,
                                     "vdu-level": [{"vdu-id": VDU, "number-of-instances": 1}]}],
            "lcm-operations-configuration": {"operate-vnf-op-config": {"day1-2": [{
                "id": VDU,
                "config-access": {"ssh-access": {"required": True, "default-user": user}},
                "execution-environment-list": [{"id": EE_ID,
                                                "juju": {"charm": CHARM, "proxy": True}}],
                "initial-config-primitive": [
                    initial_primitive(charm, 1, "config", EE_ID, {
                        "ssh-hostname": "<rw_mgmt_ip>", "ssh-username": user,
                        "role": "standalone"}),
                    initial_primitive(charm, 2, "verify-ssh-credentials", EE_ID, {}),
                ],
            }]}},
        }],
    })
    return {"vnfd": vnfd}
