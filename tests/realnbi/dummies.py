"""Admin objects the real NBI harness needs before a KNF can be instantiated."""

from __future__ import annotations

from osm_mec.osm.nbi import NbiClient


def dummy_vim_with_cluster(nbi: NbiClient, prefix: str) -> str:
    """A dummy VIM account `<prefix>-vim` and a K8s cluster `<prefix>-k8s` on it (NBI looks
    one up for a KNF's instantiation; the harness has no RO, so nothing connects to them).
    Returns the VIM account's id."""
    vim = nbi.create_admin("vim", {
        "name": f"{prefix}-vim", "vim_type": "dummy", "vim_url": "http://127.0.0.1:5000/v3",
        "vim_user": "u", "vim_password": "p", "vim_tenant_name": "t"})
    nbi.create_admin("k8scluster", {
        "name": f"{prefix}-k8s", "vim_account": vim, "k8s_version": "1.30",
        "credentials": {"apiVersion": "v1", "kind": "Config", "clusters": [],
                        "contexts": [], "users": []},
        "nets": {"net1": None}, "namespace": "kube-system"})
    return vim
