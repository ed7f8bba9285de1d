#!/usr/bin/env bash
# manage.py with the production environment, for cron and for operators:
#   sudo -u cms /srv/exemption-publicity/deploy/manage.sh migrate
# Reads CMS_ENV_FILE (default /etc/exemption-publicity/cms.env), the file the services load.
set -euo pipefail
set -a
# shellcheck source=/dev/null
. "${CMS_ENV_FILE:-/etc/exemption-publicity/cms.env}"
set +a
cd "$(dirname "$0")/.."
exec .venv/bin/python manage.py "$@"
