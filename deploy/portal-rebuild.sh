#!/usr/bin/env bash
# What the task worker runs when a page is published or a publicity window opens or closes, in
# production (PORTAL_BUILD_COMMAND=/srv/exemption-publicity/deploy/portal-rebuild.sh): build the
# portal from the CMS's read API, then, when PORTAL_S3_BUCKET is set, publish the build to
# object storage (docs/publishing.md). Without a bucket, nginx serves publicity_site/output.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
"$PYTHON" -m portal build --cms-url "$CMS_BASE_URL"
if [[ -n "${PORTAL_S3_BUCKET:-}" ]]; then
  # Two workers can finish builds close together (one gave way to the other): their publishes
  # take turns, the later one uploading the newer build.
  flock publicity_site/.publish.lock "$PYTHON" -m portal publish
fi
