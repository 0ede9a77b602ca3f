"""Container image references: where osm-mec's images are published and pulled from.

Kubernetes (containerd) reads the first component of an image name as a registry host only
when it contains a '.' or a ':' or is 'localhost'; anything else is pulled from Docker Hub,
where osm-mec's images are not published. So every image an offer deploys outside the
sandbox must name its registry host: ``<registry>/osm-mec/<name>:<version>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import __version__
from ..core.errors import UsageError

DEFAULT_REGISTRY = "ghcr.io/osm-mec"
# Our images: profile section -> image name under <registry>/osm-mec/.
OUR_IMAGES = {"mep": "mep", "mec_app": "mecapp"}
REGISTRY_PATTERN = (r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?"
                    r"(/[a-z0-9]+([._-][a-z0-9]+)*)*$")
HOW_TO_FIX = ("set the profile's registry (or the image) to the registry the images were "
              "pushed to; docs/real-osm.md, section 'Images and registry', shows how")


def default_image(registry: str, name: str, version: str = __version__) -> str:
    """The reference of one of our images in a registry."""
    return f"{registry.rstrip('/')}/osm-mec/{name}:{version}"


def registry_host(reference: str) -> str | None:
    """The registry host an image reference names, or None (Docker Hub by default)."""
    first, slash, _ = reference.partition("/")
    if not slash:
        return None
    if "." in first or ":" in first or first == "localhost":
        return first
    return None


def reference_problem(reference: str) -> str | None:
    """Why an image reference cannot be pulled from our registry, or None when it can."""
    if not reference:
        return f"no image given; {HOW_TO_FIX}"
    if registry_host(reference) is None:
        return (f"image {reference!r} names no registry host, so Kubernetes pulls it from "
                f"Docker Hub (docker.io/{reference}); {HOW_TO_FIX}")
    return None


def image_problems(references: Iterable[tuple[str, str]]) -> list[str]:
    """'where: why' for each (where, reference) pair whose image names no registry host."""
    found = ((where, reference_problem(reference)) for where, reference in references)
    return [f"{where}: {problem}" for where, problem in found if problem is not None]


def profile_images(profile: Any) -> list[tuple[str, str]]:
    """(profile field, image reference) of every container image an offer deploys."""
    return [(f"{section}.image", str(profile[section]["image"])) for section in OUR_IMAGES]


def profile_image_problems(profile: Any) -> list[str]:
    """What `build`/`validate` warn about and `provision` refuses outside the sandbox."""
    return image_problems(profile_images(profile))


def require_registry_images(profile: Any, sandbox: bool) -> None:
    """Refuse (UsageError, exit 2) an offer whose images name no registry host, unless the
    target is the embedded sandbox, which never pulls an image."""
    if sandbox:
        return
    problems = profile_image_problems(profile)
    if problems:
        raise UsageError(f"{getattr(profile, 'source', '<profile>')}: images Kubernetes "
                         "cannot pull:\n" + "\n".join(f"  {p}" for p in problems))


def _chart_images(values: Any, path: str) -> Iterable[tuple[str, str]]:
    """(values path, reference) of every `image: {repository, tag}` in chart values."""
    if isinstance(values, dict):
        image = values.get("image")
        if isinstance(image, dict) and "repository" in image:
            yield f"{path}image.repository", str(image.get("repository") or "")
        for key, value in values.items():
            if key != "image":
                yield from _chart_images(value, f"{path}{key}.")


def chart_values_problems(values: Any) -> list[tuple[str, str]]:
    """(values path, message) for each image of a chart's values.yaml without a registry
    host (``validate`` reports them as warnings)."""
    found = ((where, reference_problem(ref)) for where, ref in _chart_images(values, ""))
    return [(where, problem) for where, problem in found if problem is not None]
