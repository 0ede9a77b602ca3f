# The osm-mec sample MEC application image. Build from the repository root:
#   docker build -f docker/mecapp.Dockerfile -t osm-mec/mecapp:0.1.0 .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY setup.cfg pyproject.toml README.md ./
COPY osm_mec ./osm_mec
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mecapp
USER 10001
EXPOSE 8080
# MEP_URL, APP_INSTANCE_ID, SERVICE_NAME, PUBLIC_URL and MEC_APP_TOKEN come from the
# environment (the Helm chart sets them).
ENTRYPOINT ["osm-mec", "mecapp", "run", "--host", "0.0.0.0", "--port", "8080"]
