"""gunicorn settings for the CMS (docs/deploy.md):

    gunicorn -c deploy/gunicorn.conf.py        # serves cms.wsgi:application

Every value can be changed through the environment (GUNICORN_*), so one file serves a VM behind
nginx and a container behind a load balancer. The app processes keep no state of their own:
run as many as the database allows, on as many machines as needed.
"""

import json
import multiprocessing
import os
import traceback
from datetime import UTC, datetime

from gunicorn.glogging import Logger

# Production settings unless the environment names others (cms/wsgi.py defaults to them too).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
wsgi_app = "cms.wsgi:application"

# nginx on the same machine talks to 127.0.0.1:8000; in a container, bind 0.0.0.0:8000.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Sync workers, (2 x cores) + 1 by default: the work is database-bound and short. Each worker
# keeps one persistent PostgreSQL connection (CONN_MAX_AGE), so workers x app machines (+ the
# task workers and cron jobs) must stay below PostgreSQL's max_connections.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
threads = 1
# A request that takes longer than this is killed and logged; evidence uploads of 5 x 10 MB
# are buffered by nginx first, so the app never waits on a slow client.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then, so that slow leaks never add up. Rarely: a worker's restart
# (importing Django and Wagtail again) shows as a latency spike for the requests queued on it,
# and at 2,000 requests each worker restarted about once a minute under load.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10

# Request-line and header limits well above what a browser sends, far below gunicorn's maxima.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Only the proxy in front may say that the request came over HTTPS (X-Forwarded-Proto) and
# whom it came from; Django reads the same header (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


class JsonAccessLogger(Logger):
    """Access lines as JSON objects like the application's own logs (cms.core.log), escaped
    properly (a format string would not escape a quote in a User-Agent). The query string is
    left out: a status lookup must not leave receipt numbers in the access log."""

    def access(self, resp, req, environ, request_time):
        if not self.cfg.accesslog:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "remote": environ.get("HTTP_X_FORWARDED_FOR") or environ.get("REMOTE_ADDR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "user_agent": environ.get("HTTP_USER_AGENT"),
        }
        try:
            self.access_log.info(json.dumps(entry, ensure_ascii=False))
        except Exception:
            self.error(traceback.format_exc())


# Logs: one line each on stdout (access, JSON) and stderr (gunicorn's own, plain).
logger_class = JsonAccessLogger
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
capture_output = False

# Workers load the app after fork: no database connection or file handle is shared.
preload_app = False
proc_name = "exemption-cms"
# Recent gunicorn opens a control socket under $HOME for `gunicornc`; signals suffice
# (HUP reloads, TERM stops gracefully), so no extra socket to protect.
control_socket_disable = True
