# The osm-mec sample MEC application image. Build from the repository root,
# tagged <registry>/osm-mec/mecapp:<version> (the profile's registry, osm-mec's version from
# `osm-mec --version`), and pushed there (docs/real-osm.md, "Images and registry"):
#   docker build -f docker/mecapp.Dockerfile -t ghcr.io/<org>/osm-mec/mecapp:<version> .
#   docker push ghcr.io/<org>/osm-mec/mecapp:<version>
# Stage 1 builds osm-mec's wheel (reproducible: see setup.py); stage 2 installs only that wheel,
# with the [mep] extra alone (no chain, report or test dependencies).
FROM python:3.11-slim AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.cfg setup.py MANIFEST.in README.md ./
COPY osm_mec ./osm_mec
COPY charms ./charms
COPY helm ./helm
COPY examples ./examples
RUN pip wheel --no-deps --wheel-dir /dist .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=wheel /dist/ /tmp/dist/
RUN pip install --no-cache-dir "$(echo /tmp/dist/osm_mec-*.whl)[mep]" \
    && rm -rf /tmp/dist \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mecapp
WORKDIR /app
USER 10001
EXPOSE 8080
# MEP_URL, APP_INSTANCE_ID, SERVICE_NAME, PUBLIC_URL and MEC_APP_TOKEN come from the
# environment (the Helm chart sets them).
ENTRYPOINT ["osm-mec", "mecapp", "run", "--host", "0.0.0.0", "--port", "8080"]
