"""The MEC 010-2 Mm1 facade (AppPkgm and AppLcm) over one CSP's Edge OSM and its MEP."""

from .app import build_context, create_app
from .context import MeoContext, MeoSettings

__all__ = ["MeoContext", "MeoSettings", "build_context", "create_app"]
