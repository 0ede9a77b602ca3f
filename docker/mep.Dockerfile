# The osm-mec MEC platform (MEP) image. Build from the repository root:
#   docker build -f docker/mep.Dockerfile -t osm-mec/mep:0.1.0 .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY setup.cfg pyproject.toml README.md ./
COPY osm_mec ./osm_mec
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mep
USER 10001
EXPOSE 8080
# MEP_REDIS_URL and MEP_ADMIN_TOKEN (or MEP_ADMIN_TOKEN_FILE) come from the environment.
ENTRYPOINT ["osm-mec", "mep", "serve", "--host", "0.0.0.0", "--port", "8080"]
