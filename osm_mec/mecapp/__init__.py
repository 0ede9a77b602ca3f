"""The sample MEC application: an Mp1 client of the MEP (`osm-mec mecapp run`)."""

from .app import MecAppConfig, create_app

__all__ = ["MecAppConfig", "create_app"]
