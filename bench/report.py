"""The targets of issue 7 as ratios from one run, the markdown table and the chart."""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
# Scenario -> its row label; peer rows sit beside authgate's in the chart.
LABELS = {
    "baseline": "baseline: GET /healthz",
    "verify": "verify: GET /api/v1/auth/me (JWT)",
    "verify_feathers": "verify, feathers: GET /users/{id}",
    "verify_legacy": "verify, legacy: GET /authheader/list",
    "verify_form": "verify, form: GET /auth/me",
    "apikey": "apikey: GET /api/v1/auth/me (X-API-Key)",
    "login_1": "login: one user",
    "login": "login: 1,000 users",
    "refresh": "refresh (SQLite)",
    "refresh_pg": "refresh (PostgreSQL)",
    "storm": "storm: verify under a login flood",
    "storm_flood": "storm: the login flood (2xx/s below)",
    "verify_big": "verify, 1,000,000 users",
    "login_big": "login, 1,000,000 users",
    "peer_baseline": "peer: GET /healthz",
    "peer_verify": "peer: GET /users/me",
    "peer_login": "peer: POST /auth/jwt/login",
    "peer_storm": "peer: /users/me under a login flood",
    "peer_storm_flood": "peer: the login flood",
}
CHART_PAIRS = [
    ("baseline", "peer_baseline", "/healthz"),
    ("verify", "peer_verify", "verify (me)"),
    ("apikey", None, "API key"),
    ("login", "peer_login", "login"),
    ("refresh", None, "refresh"),
    ("refresh_pg", None, "refresh (PG)"),
    ("storm", "peer_storm", "verify in storm"),
]


def peer_versions(pip_json: str | None) -> dict[str, str]:
    if not pip_json:
        return {}
    wanted = {"fastapi-users", "fastapi", "pwdlib", "argon2-cffi", "uvicorn", "sqlalchemy"}
    return {p["name"]: p["version"] for p in json.loads(pip_json) if p["name"].lower() in wanted}


def _target(value: float | None, goal: float, *, at_most: bool = False) -> dict[str, Any]:
    if value is None:
        return {"value": None, "goal": goal, "met": None}
    met = value <= goal if at_most else value >= goal
    return {"value": round(value, 3), "goal": goal, "met": met}


def targets(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    r = doc["results"]
    facts = doc["facts"]

    def rps(name: str, ok: bool = True) -> float | None:
        row = r.get(name)
        return None if row is None else row["ok_rps" if ok else "rps"]

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    workers = doc["settings"]["workers"]
    threads = min(workers * facts.get("hash_threads_per_worker", 1), doc["machine"]["cpus"] or 1)
    capacity = threads / facts["verify_seconds"] if facts.get("verify_seconds") else None
    storm_p99 = ratio(r.get("storm", {}).get("p99_us"), r.get("verify", {}).get("p99_us"))
    rss = facts.get("worker_rss_mb") or []
    return {
        "verify / baseline": _target(ratio(rps("verify"), rps("baseline")), 0.8),
        "verify / peer /users/me": _target(ratio(rps("verify"), rps("peer_verify")), 5.0),
        f"login / ({threads} hash threads / verify time)": _target(
            ratio(rps("login"), capacity), 0.9
        ),
        "storm: verify req/s kept": _target(ratio(rps("storm"), rps("verify")), 0.4),
        "storm: verify p99 / idle p99": _target(storm_p99, 3.0, at_most=True),
        "refresh on PostgreSQL, req/s": _target(rps("refresh_pg"), 500.0),
        "login 1M users / 1,000 users": _target(ratio(rps("login_big"), rps("login")), 1 / 1.1),
        "verify 1M users / 1,000 users": _target(ratio(rps("verify_big"), rps("verify")), 1 / 1.1),
        "resident MB per worker (max)": _target(max(rss) if rss else None, 150.0, at_most=True),
    }


def markdown(doc: dict[str, Any]) -> str:
    m, s = doc["machine"], doc["settings"]
    lines = [
        f"Run {doc['date']}, commit `{doc['commit']}`, {m['cpus']} x {m['cpu']}, "
        f"Python {m['python']}, load before {m['load_before'][0]:.2f}; "
        f"{s['workers']} workers, {s['database']}, wrk {s['wrk']['threads']} threads "
        f"{s['wrk']['connections']} connections, {s['wrk']['warmup_s']:g} s warm-up then "
        f"{s['wrk']['duration_s']:g} s. argon2id verify "
        f"{doc['facts'].get('verify_seconds', 0) * 1000:.1f} ms.",
        "",
        "| scenario | req/s | 2xx/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in doc["results"].items():
        lines.append(
            f"| {LABELS.get(name, name)} | {row['rps']:,.0f} | {row['ok_rps']:,.0f} "
            f"| {row['p50_ms']:.2f} | {row['p99_ms']:.2f} |"
        )
    lines += ["", "| target | value | goal | met |", "|---|---:|---:|:---:|"]
    for name, t in doc["targets"].items():
        at_most = "p99" in name or "MB" in name
        goal = f"{'<=' if at_most else '>='} {t['goal']:.3g}"
        value = "-" if t["value"] is None else f"{t['value']:.3g}"
        met = {True: "yes", False: "**no**", None: "not run"}[t["met"]]
        lines.append(f"| {name} | {value} | {goal} | {met} |")
    versions = ", ".join(f"{k} {v}" for k, v in doc.get("peer_versions", {}).items())
    if versions:
        lines += ["", f"Peer: {versions}."]
    return "\n".join(lines)


def chart(doc: dict[str, Any], path: Path) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt  # optional: the `bench` extra

    results = doc["results"]
    pairs = [p for p in CHART_PAIRS if p[0] in results or (p[1] and p[1] in results)]
    labels = [p[2] for p in pairs]
    ours = [results.get(a, {}).get("ok_rps", 0) for a, _, _ in pairs]
    peer = [results.get(b, {}).get("ok_rps", 0) if b else 0 for _, b, _ in pairs]
    x = range(len(pairs))
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    ax.bar([i - 0.2 for i in x], ours, width=0.4, label="authgate")
    ax.bar([i + 0.2 for i in x], peer, width=0.4, label="fastapi-users")
    ax.set_xticks(list(x), labels, rotation=20, ha="right")
    ax.set_ylabel("2xx responses / s")
    ax.set_title(
        f"{doc['settings']['workers']} workers, {doc['date'][:10]}, commit {doc['commit']}"
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_docs(doc: dict[str, Any], page: Path, png: Path) -> None:
    chart(doc, png)
    text = page.read_text()
    block = f"{BEGIN}\n{markdown(doc)}\n{END}"
    text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    page.write_text(text)
