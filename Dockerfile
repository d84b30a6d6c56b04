# paperbot in a container: the default install (no torch), run as a non-root user, the data dir
# and the digest archive as volumes. compose.yaml runs it beside a Chroma server; on its own:
#   docker build -t paperbot . && docker run -d --env-file .env -v paperbot-data:/data \
#     -v paperbot-archive:/archive --name paperbot paperbot
# (docs/OPERATIONS.md, "Docker"). The archive is cloned into /archive on the first start.
FROM python:3.11-slim

# git: the first start clones the archive and the daily job pulls it (PAPERBOT_GIT_PULL=1)
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 --user-group paperbot \
    && mkdir -p /data /archive /chroma \
    && chown paperbot:paperbot /data /archive /chroma

WORKDIR /app
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY store ./store
COPY ingest ./ingest
COPY measure ./measure
COPY bot ./bot
RUN pip install --no-cache-dir --disable-pip-version-check -c constraints.txt . \
    && rm -rf store ingest measure bot
COPY --chmod=755 deploy/entrypoint.sh /usr/local/bin/paperbot-entrypoint

ENV PAPERBOT_DATA_DIR=/data \
    PAPERBOT_DIGESTS=/archive
VOLUME ["/data", "/archive"]
USER paperbot

# `paperbot doctor` loads no model and starts no Discord connection; the first start clones and
# indexes the whole archive (minutes), hence the long start period.
HEALTHCHECK --interval=60s --timeout=30s --start-period=15m --retries=3 CMD ["paperbot", "doctor"]
ENTRYPOINT ["paperbot-entrypoint"]
CMD ["run"]
