"""Application package management (MEC 010-2 AppPkgm) on the Edge OSM: an application
package is created empty, its content (an AppD package archive) uploaded, turned into a
CNF package and an NS package and onboarded into the Edge OSM. Its states follow OSM:
ONBOARDED once OSM accepted both packages; IN_USE while an NS of the Edge OSM uses its NS
package; deleting it deletes both packages from OSM (refused while in use)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from ..core.errors import OsmMecError
from ..osm.nbi import NbiFailure
from .appd_bridge import ConvertedAppd, convert
from .context import PKGM_BASE as BASE
from .context import MeoContext
from .edge import OnboardedPackages
from .models import AppPkgInfoModifications, AppPkgSubscription, CreateAppPkg
from .problems import Problem, found
from .store import Doc, public

KIND, SUBSCRIPTIONS = "app_package", "app_pkg_subscription"
HASHES = {"SHA256": "sha256", "SHA512": "sha512", "SHA384": "sha384", "SHA224": "sha224",
          "SHA1": "sha1", "MD5": "md5"}
EVENTS = {"AppPackageOnBoarded": "AppPackageOnBoarding",
          "AppPacakgeEnabled": "AppPacakgeOperationChange",
          "AppPacakgeDisabled": "AppPacakgeOperationChange",
          "AppPackageDeleted": "AppPackageDeletion"}


def _algorithm(name: str) -> str:
    key = name.upper().replace("-", "").replace("_", "")
    if key not in HASHES:
        raise Problem(400, f"checksum.algorithm {name!r} is not supported; use one of "
                           "SHA-256, SHA-512, SHA-384, SHA-224, SHA-1, MD5")
    return HASHES[key]


# -- packages -----------------------------------------------------------------------------
def create(meo: MeoContext, body: CreateAppPkg) -> Doc:
    _algorithm(body.checksum.algorithm)
    package_id = str(uuid.uuid4())
    record: Doc = {
        "id": package_id, "appDId": "", "appProvider": body.appProvider or "",
        "appName": body.appPkgName, "appSoftwareVersion": body.appPkgVersion,
        "appDVersion": "", "checksum": body.checksum.model_dump(include={"algorithm", "hash"}),
        "softwareImages": [], "onboardingState": "CREATED", "operationalState": "DISABLED",
        "usageState": "NOT_IN_USE", "_links": links(meo, package_id),
        "_pkgPath": body.appPkgPath}
    if body.userDefinedData is not None:
        record["userDefinedData"] = body.userDefinedData
    meo.store.put(KIND, record)
    return view(meo, record, in_use=set())


def links(meo: MeoContext, package_id: str) -> dict[str, Any]:
    path = f"{BASE}/app_packages/{package_id}"
    return {"self": meo.settings.link(path), "appD": meo.settings.link(f"{path}/appd"),
            "appPkgContent": meo.settings.link(f"{path}/package_content")}


def get(meo: MeoContext, package_id: str) -> Doc:
    return found(meo.store.get(KIND, package_id), f"application package {package_id!r}")


def _in_state(meo: MeoContext, package_id: str, onboarding_state: str, otherwise: str) -> Doc:
    """The package when its onboardingState is the one given; 409 otherwise, the message
    naming the package and its state, followed by ``otherwise`` (what to do)."""
    record = get(meo, package_id)
    if record["onboardingState"] != onboarding_state:
        raise Problem(409, f"application package {package_id} is "
                           f"{record['onboardingState']}{otherwise}")
    return record


def by_appd(meo: MeoContext, appd_id: str) -> Doc:
    """The onboarded package of an AppD (onboarded_app_packages/{appDId})."""
    for record in meo.store.all(KIND):
        if record["appDId"] == appd_id and record["onboardingState"] == "ONBOARDED":
            return record
    raise Problem(404, f"no onboarded application package has appDId {appd_id!r}")


def packages_in_use(meo: MeoContext) -> set[str] | None:
    """The OSM NS packages some NS of the Edge OSM uses (None when OSM does not answer)."""
    try:
        return meo.edge.ns_packages_in_use()
    except OsmMecError:
        return None


def _used_by_facade(meo: MeoContext, package_id: str) -> bool:
    return any(i["appPkgId"] == package_id and (i["instantiationState"] == "INSTANTIATED"
                                                or i.get("_busy"))
               for i in meo.store.all("app_instance"))


def view(meo: MeoContext, record: Doc, in_use: set[str] | None) -> Doc:
    """AppPkgInfo with usageState as OSM has it (the facade's view when OSM is silent)."""
    osm = record.get("_osm")
    if osm and in_use is not None:
        used = osm["ns_package"] in in_use
    else:
        used = _used_by_facade(meo, record["id"])
    return {**public(record), "usageState": "IN_USE" if used else "NOT_IN_USE"}


def listing(meo: MeoContext) -> list[Doc]:
    in_use = packages_in_use(meo)
    return [view(meo, r, in_use) for r in meo.store.all(KIND)]


def upload(meo: MeoContext, package_id: str, content: bytes) -> None:
    """Check the content against the package's checksum, turn the AppD package into OSM
    packages and onboard them into the Edge OSM."""
    with meo.lock:
        record = _in_state(meo, package_id, "CREATED",
                           ": content is uploaded once; create a new application package for "
                           "another version")
        _check_sum(record, content)
        converted = _convert(content)
        appd = converted.appd
        for other in meo.store.all(KIND):
            if other["appDId"] == appd["appDId"] and other["id"] != package_id:
                raise Problem(409, f"appDId {appd['appDId']!r} is already uploaded in "
                                   f"application package {other['id']}; delete it first")
        meo.store.put(KIND, {**record, "onboardingState": "PROCESSING"})
    try:
        onboarded = meo.edge.onboard(converted.vnf.as_upload(), converted.ns.as_upload())
    except NbiFailure as exc:
        meo.store.put(KIND, record)
        raise Problem(409 if exc.status in (0, 409) else 400,
                      f"the Edge OSM refused the packages built from the AppD: {exc}") from exc
    meo.settings.packages_dir.mkdir(parents=True, exist_ok=True)
    (meo.settings.packages_dir / f"{package_id}.bin").write_bytes(content)
    onboarded_record = {
        **record, "appDId": appd["appDId"], "appName": appd.get("appName", record["appName"]),
        "appProvider": appd.get("appProvider", record["appProvider"]),
        "appSoftwareVersion": appd.get("appSoftVersion", record["appSoftwareVersion"]),
        "appDVersion": appd.get("appDVersion", ""),
        "softwareImages": _as_list(appd.get("swImageDescriptor")),
        "onboardingState": "ONBOARDED", "operationalState": "ENABLED",
        "_osm": {"vnf_package": onboarded.vnf_package, "ns_package": onboarded.ns_package,
                 "vnfd": converted.vnf.descriptor_id, "nsd": converted.ns.descriptor_id},
        "_appd": appd, "_appdText": converted.appd_text,
        "_registration": converted.registration}
    meo.store.put(KIND, onboarded_record)
    notify(meo, "AppPackageOnBoarded", onboarded_record)


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def _check_sum(record: Doc, content: bytes) -> None:
    algorithm = _algorithm(record["checksum"]["algorithm"])
    actual = hashlib.new(algorithm, content).hexdigest()
    if actual.lower() != record["checksum"]["hash"].lower():
        raise Problem(409, f"the content's {record['checksum']['algorithm']} is {actual}, not "
                           f"the checksum given when the package was created "
                           f"({record['checksum']['hash']}); upload the right archive")


def _convert(content: bytes) -> ConvertedAppd:
    try:
        return convert(content)
    except OsmMecError as exc:
        raise Problem(400, f"the content is not a usable AppD package: {exc}") from exc


def set_state(meo: MeoContext, package_id: str, change: AppPkgInfoModifications) -> Doc:
    with meo.lock:
        record = _in_state(meo, package_id, "ONBOARDED",
                           ", not ONBOARDED: upload its content first")
        if record["operationalState"] == change.operationState:
            raise Problem(409, f"application package {package_id} is already "
                               f"{change.operationState}")
        record = meo.store.put(KIND, {**record, "operationalState": change.operationState})
    notify(meo, "AppPacakgeEnabled" if change.operationState == "ENABLED"
           else "AppPacakgeDisabled", record)
    return {"operationState": change.operationState}


def delete(meo: MeoContext, package_id: str) -> None:
    with meo.lock:
        record = get(meo, package_id)
        osm = record.get("_osm")
        if _used_by_facade(meo, package_id) or any(
                i["appPkgId"] == package_id for i in meo.store.all("app_instance")):
            raise Problem(409, f"application package {package_id} is used by application "
                               "instances; terminate and delete them first")
        if osm:
            users = meo.edge.ns_using(osm["ns_package"])
            if users:
                raise Problem(409, f"application package {package_id} is IN_USE: NS "
                                   f"{', '.join(users)} of the Edge OSM use its NS package")
            try:
                meo.edge.delete_packages(OnboardedPackages(osm["vnf_package"],
                                                           osm["ns_package"]))
            except NbiFailure as exc:
                raise Problem(409, f"the Edge OSM did not delete the packages: {exc}") from exc
        meo.store.delete(KIND, package_id)
        (meo.settings.packages_dir / f"{package_id}.bin").unlink(missing_ok=True)
    if record["onboardingState"] == "ONBOARDED":
        notify(meo, "AppPackageDeleted", record)


def content(meo: MeoContext, record: Doc) -> bytes:
    path = meo.settings.packages_dir / f"{record['id']}.bin"
    if record["onboardingState"] != "ONBOARDED" or not path.exists():
        raise Problem(409, f"application package {record['id']} has no content yet "
                           f"({record['onboardingState']})")
    return path.read_bytes()


def appd_text(record: Doc) -> str:
    if record["onboardingState"] != "ONBOARDED":
        raise Problem(409, f"application package {record['id']} has no AppD yet "
                           f"({record['onboardingState']}): upload its content first")
    return str(record["_appdText"])


# -- subscriptions and notifications ------------------------------------------------------
def subscribe(meo: MeoContext, body: AppPkgSubscription) -> Doc:
    subscription_id = str(uuid.uuid4())
    record: Doc = {"id": subscription_id, "subscriptionType": body.subsctiptionType,
                   "callbackUri": body.callbackUri,
                   "_links": {"self": meo.settings.link(
                       f"{BASE}/subscriptions/{subscription_id}")}}
    if body.appPkgFilter:
        record["_filter"] = body.appPkgFilter
    return public(meo.store.put(SUBSCRIPTIONS, record))


def subscription(meo: MeoContext, subscription_id: str) -> Doc:
    return found(meo.store.get(SUBSCRIPTIONS, subscription_id),
                 f"subscription {subscription_id!r}")


def subscription_list(meo: MeoContext) -> Doc:
    return {"_links": {"self": meo.settings.link(f"{BASE}/subscriptions"),
                       "subscriptions": [{"href": s["_links"]["self"]["href"],
                                          "subsctiptionType": s["subscriptionType"]}
                                         for s in meo.store.all(SUBSCRIPTIONS)]}}


def unsubscribe(meo: MeoContext, subscription_id: str) -> None:
    if not meo.store.delete(SUBSCRIPTIONS, subscription_id):
        raise Problem(404, f"no subscription {subscription_id!r}")


def notify(meo: MeoContext, notification_type: str, record: Doc) -> None:
    """AppPkgNotification to every subscription of the change's type."""
    wanted = EVENTS[notification_type]
    subscribers = [s for s in meo.store.all(SUBSCRIPTIONS) if s["subscriptionType"] == wanted]
    meo.notifier.send(subscribers, {
        "notificationType": notification_type, "appPkgId": record["id"],
        "appDId": record["appDId"], "operationalState": record["operationalState"],
        "_links": {}})
