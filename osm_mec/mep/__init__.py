"""The MEC platform (MEP): ETSI MEC 011 Mp1 on FastAPI and Redis.

`create_app` builds the ASGI application; `osm-mec mep serve` runs it with uvicorn.
"""

from .app import create_app
from .context import Settings

__all__ = ["create_app", "Settings"]
