"""osm-mec: MEC-as-a-Service on OSM (Open Source MANO)."""

__version__ = "0.1.0"
