"""The one place the core reads the time, so tests can move it (time-machine)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def epoch() -> float:
    return time.time()
