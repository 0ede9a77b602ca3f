"""``python -m osm_mec.cli``: the same as the ``osm-mec`` command."""

from .commands import main

main()
