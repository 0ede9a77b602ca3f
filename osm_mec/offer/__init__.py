"""The offer builder: profile -> descriptors -> packages, instantiation parameters, validation.

Turns an operator's profile into the OSM packages of the MECaaS offer and checks them. Depends
only on ``osm_mec.core``; it never talks to OSM.
"""
