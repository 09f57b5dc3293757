"""JSON log lines: one per request, one per auth event. No secret is ever passed in."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

import orjson

from authgate.http.metrics import observe_auth_event

_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _RECORD_FIELDS and value is not None:
                line[name] = value
        if record.exc_info and record.levelno >= logging.ERROR:
            line["error"] = repr(record.exc_info[1])
        return orjson.dumps(line, default=str).decode()


class _AuthEventMetrics(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        event = getattr(record, "event", None)
        if isinstance(event, str):
            observe_auth_event(event, str(getattr(record, "outcome", "success")))
        return True


def configure_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("authgate")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = True
    audit = logging.getLogger("authgate.audit")
    if not any(isinstance(f, _AuthEventMetrics) for f in audit.filters):
        audit.addFilter(_AuthEventMetrics())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
    # uvicorn's access log prints the query string; our request log replaces it.
    logging.getLogger("uvicorn.access").disabled = True
