"""The OSM client: NBI requests, credentials, waiting for operations, OSM's Kafka bus.

Depends only on ``osm_mec.core``.
"""
