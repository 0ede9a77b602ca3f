"""Cloud-init templates of the cluster VNF's VDUs.

Two template layers: osm-mec fills the profile's values at build time (``[[ ]]``
delimiters), and the result is itself a Jinja2 template that OSM's LCM renders with the
VNF's additionalParams (``{{ }}``) when it creates each VM.
"""

from __future__ import annotations

from typing import Any

import jinja2

from ..assets import TEMPLATES_DIR
from ..profile import Profile

ROLES = ("controller", "worker")
# additionalParams every rendered template needs from OSM (see params.py).
OSM_VARIABLES = ("cluster_name", "controller_ip")

_BUILD_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
    variable_start_string="[[", variable_end_string="]]",
    block_start_string="[%", block_end_string="%]",
    comment_start_string="[#", comment_end_string="#]",
    undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False,
)


def file_name(role: str) -> str:
    """Name of the VDU's cloud-init-file inside the package's cloud_init/ folder."""
    return f"{role}-cloud-init.cfg"


def template(profile: Profile, role: str) -> str:
    """The cloud-init template of a VDU role, as shipped in the package."""
    cluster = profile["cluster"]
    return _BUILD_ENV.get_template("node-cloud-init.cfg.j2").render(
        role=role, version=cluster["kubernetes_version"], cidr=cluster["network_cidr"],
    )


def render(text: str, params: dict[str, Any]) -> str:
    """Render a shipped template the way LCM does: undefined variables are errors."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             autoescape=False)
    return env.from_string(text).render(**params)


def variables(text: str) -> set[str]:
    """The additionalParams a shipped template uses."""
    from jinja2 import meta

    return set(meta.find_undeclared_variables(jinja2.Environment().parse(text)))
