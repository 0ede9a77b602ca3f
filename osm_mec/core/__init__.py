"""Foundation used by every layer: the error model, safe YAML and archive reading, secret files.

Depends on nothing else in ``osm_mec``.
"""
