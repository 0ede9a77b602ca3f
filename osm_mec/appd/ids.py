"""OSM names of an application's packages, derived from its AppD (stable for one appDId)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..offer.descriptors.network_services import MEC_APP_MEMBER
from .model import AppD

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
KDU_NAME_MAX = 30


@dataclass(frozen=True)
class AppPackageIds:
    """The OSM ids of an application: its CNF package (VNFD id, also the package folder's
    name), its NS package (NSD id), its KDU and the NS member that holds the KDU."""

    cnf: str
    ns: str
    kdu: str
    member: str = MEC_APP_MEMBER


def _base(appd_id: str) -> str:
    """appDId itself when OSM can use it as part of an id; otherwise a digest of it (two
    different appDIds never share a base)."""
    if _SAFE_ID.match(appd_id):
        return appd_id
    return "appd-" + hashlib.sha256(appd_id.encode()).hexdigest()[:16]


def kdu_name(app_name: str) -> str:
    """A DNS-label form of appName (Helm release names derive from the KDU's name)."""
    slug = re.sub(r"[^a-z0-9]+", "-", app_name.lower()).strip("-")[:KDU_NAME_MAX].strip("-")
    return slug if slug and slug[0].isalpha() else f"app-{slug}".strip("-")[:KDU_NAME_MAX]


def package_ids(appd: AppD) -> AppPackageIds:
    """The OSM ids the AppD's packages get."""
    base = _base(appd.appd_id)
    return AppPackageIds(cnf=f"{base}_cnf", ns=f"{base}_ns", kdu=kdu_name(appd.name))
