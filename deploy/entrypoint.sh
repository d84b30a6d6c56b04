#!/bin/sh
# The container's start (Dockerfile): on the first start, clone the digest archive into the
# empty archive volume (the archive is CC BY-NC-ND 4.0: see README, "Using the archive"); before
# `run`, index what is new (nothing is embedded twice). Any other command runs as
# `paperbot COMMAND`, e.g. `docker compose exec bot paperbot-entrypoint doctor`.
set -eu
archive="${PAPERBOT_DIGESTS:-/archive}"
if [ -d "$archive" ] && [ -z "$(ls -A "$archive")" ]; then
    echo "paperbot: cloning the digest archive into $archive" >&2
    git clone --quiet https://github.com/l-yohai/daily_papers_ko "$archive"
fi
if [ "${1:-run}" = "run" ]; then
    paperbot ingest
fi
exec paperbot "$@"
