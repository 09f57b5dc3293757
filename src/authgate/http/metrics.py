"""Prometheus metrics. Each worker process reports its own counters."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

registry = CollectorRegistry(auto_describe=True)
_requests = Counter(
    "authgate_http_requests",
    "HTTP requests answered",
    ["method", "route", "status"],
    registry=registry,
)
_latency = Histogram(
    "authgate_http_request_duration_seconds",
    "Time to answer a request",
    ["route"],
    registry=registry,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
_auth_events = Counter(
    "authgate_auth_events", "Authentication events", ["event", "outcome"], registry=registry
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    _requests.labels(method, route, str(status)).inc()
    _latency.labels(route).observe(seconds)


def observe_auth_event(event: str, outcome: str) -> None:
    _auth_events.labels(event, outcome).inc()


def render() -> bytes:
    return generate_latest(registry)
