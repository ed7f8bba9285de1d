"""One JSON object per line on stdout: what log collectors (journald, Docker, Kubernetes) read
without multi-line parsing. Tracebacks are kept inside the object as one escaped string."""

import json
import logging
from datetime import UTC, datetime


class JsonLineFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message"}`` plus ``exc`` when there is a traceback and
    ``status_code`` when Django's request loggers give one. The request itself is never dumped:
    bodies and headers could carry an objector's personal data."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int):
            entry["status_code"] = status_code
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
