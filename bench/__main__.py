"""python -m bench: authgate beside fastapi-users under wrk, on loopback, in one run.

See docs/performance.md for what each scenario measures and the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import http, report, seed, wrk
from bench.procs import Processes, free_port, wait_healthy, worker_rss_mb

if TYPE_CHECKING:
    from collections.abc import Callable

if TYPE_CHECKING:
    import types

ROOT = Path(__file__).resolve().parent.parent
PEER_DIR = ROOT / "bench" / "peer"
PEER_VENV = ROOT / "bench" / ".peer-venv"
PASSWORD = "bench-password-1"
SECRET = "bench-secret-key-" + "x" * 32
BIG = 1_000_000
SCENARIOS = ("baseline", "verify", "apikey", "login", "refresh", "storm", "peer")
REFRESH_SESSIONS = 64  # per phase (warm-up, measured): 32 per wrk thread, 16 connections each


def say(text: str) -> None:
    """Progress on stdout, flushed (the run is long and often piped)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--db", default=None, help="postgresql://... (default: a fresh SQLite file)"
    )
    parser.add_argument(
        "--pg",
        default=None,
        help="also run `refresh` on this PostgreSQL database (its tables are emptied)",
    )
    parser.add_argument(
        "--redis", default=None, help="login-throttle counters in this Redis (redis://...)"
    )
    parser.add_argument("--workers", type=int, default=2, help="worker processes (both servers)")
    parser.add_argument("--users", type=int, default=1000, help="users seeded for `login`")
    parser.add_argument("--big", action="store_true", help=f"then seed {BIG:,} users, rerun")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per run")
    parser.add_argument("--out", type=Path, default=None, help="result JSON file")
    parser.add_argument(
        "--write-docs", action="store_true", help="update docs/performance.md and its chart"
    )
    args = parser.parse_args(argv)
    args.only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = args.only - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    return args


class Bench:
    def __init__(self, args: argparse.Namespace, run_dir: Path, procs: Processes) -> None:
        self.args = args
        self.run_dir = run_dir
        self.procs = procs
        self.results: dict[str, dict[str, Any]] = {}
        self.facts: dict[str, Any] = {}
        # One login on the server under test, and how long it takes when idle.
        self.probe: Callable[[], object] = lambda: None
        self.idle_probe = 0.0

    # measuring
    def use_probe(self, probe: Callable[[], object]) -> None:
        started = time.perf_counter()
        probe()
        self.probe, self.idle_probe = probe, time.perf_counter() - started

    def drain(self) -> None:
        """Wait until logins left in the server by a finished wrk are done.

        wrk stops at its deadline, but the logins it had sent are still queued for the
        hash and would slow the next run: wait until one login is about as fast as idle.
        """
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            started = time.perf_counter()
            self.probe()
            if time.perf_counter() - started < 2 * self.idle_probe + 0.2:
                return

    def measure(self, name: str, url: str, kind: str, env: dict[str, str]) -> wrk.Result:
        if self.args.warmup > 0:
            wrk.run(url, kind, self.args.warmup, env)
            if kind == "login":
                self.drain()
        result = wrk.run(url, kind, self.args.duration, env)
        if kind == "login":
            self.drain()
        self.record(name, result)
        return result

    def record(self, name: str, result: wrk.Result, **extra: Any) -> None:
        self.results[name] = {**result.summary(), **extra}
        shed = f"  ({result.non2xx} non-2xx, {result.ok_rps:.1f} 2xx/s)" if result.non2xx else ""
        say(
            f"{name:<18} {result.rps:>9.1f} req/s   p50 {result.p50_us / 1000:>7.2f} ms"
            f"   p99 {result.p99_us / 1000:>8.2f} ms{shed}"
        )

    def storm(
        self, name: str, verify: tuple[str, str, dict[str, str]], flood: tuple[str, dict[str, str]]
    ) -> None:
        """verify measured while a second wrk floods login (started warm-up seconds before)."""
        total = self.args.warmup + self.args.duration + 1
        flooding = wrk.start(flood[0], "login", total, flood[1])
        try:
            time.sleep(self.args.warmup)
            measured = wrk.run(verify[0], verify[1], self.args.duration, verify[2])
        finally:
            flood_result = wrk.finish(flooding, timeout=total + 60)
        self.drain()
        self.record(name, measured)
        self.record(f"{name}_flood", flood_result)

    # servers
    def start_authgate(self, name: str, database_url: str) -> tuple[subprocess.Popen[bytes], str]:
        port = free_port()
        env = {
            "AUTHGATE_DATABASE_URL": database_url,
            "AUTHGATE_SECRET_KEY": SECRET,
            # Request log lines off (the peer runs without uvicorn's access log too).
            "AUTHGATE_LOG_LEVEL": "warning",
            # Every request comes from 127.0.0.1 and many share an account: the bench
            # measures hashing, not the lock-out.
            "AUTHGATE_THROTTLE_ACCOUNT_FAILURES": "1000000000",
            "AUTHGATE_THROTTLE_ADDRESS_FAILURES": "1000000000",
            # wrk names a random client address per login (lua/login.lua).
            "AUTHGATE_TRUSTED_PROXIES": "127.0.0.1/32",
        }
        if self.args.redis:
            env["AUTHGATE_REDIS_URL"] = self.args.redis
        argv = [
            str(Path(sys.executable).parent / "authgate"),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(self.args.workers),
        ]
        proc = self.procs.start(name, argv, env=env, cwd=self.run_dir)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(f"{base}/healthz", proc)
        return proc, base

    def seed_authgate(self, database_url: str) -> None:
        asyncio.run(seed.reset(database_url))
        took = asyncio.run(seed.add_users(database_url, 1, self.args.users, self.password_hash))
        say(f"seeded {self.args.users:,} users in {took:.1f} s")

    # scenario groups
    def run_authgate(self, database_url: str) -> None:
        only = self.args.only
        self.seed_authgate(database_url)
        proc, base = self.start_authgate("authgate", database_url)
        login = http.v1_login(base, "bench1", PASSWORD)
        self.use_probe(lambda: http.v1_login(base, "bench1", PASSWORD))
        bearer = {"BENCH_HEADER_1": f"Authorization: Bearer {login['token']}"}
        v1_login_env = {
            "BENCH_BODY": '{"username":"bench%d","password":"' + PASSWORD + '"}',
        }
        if "baseline" in only:
            self.measure("baseline", f"{base}/healthz", "get", {})
        if "verify" in only or "storm" in only:
            self.measure("verify", f"{base}/api/v1/auth/me", "get", bearer)
        if "verify" in only:
            user_id = login["user"]["id"]
            self.measure("verify_feathers", f"{base}/users/{user_id}", "get", bearer)
            self.measure("verify_legacy", f"{base}/authheader/list", "get", bearer)
            self.measure("verify_form", f"{base}/auth/me", "get", bearer)
        if "apikey" in only:
            key = http.call(
                "POST",
                f"{base}/api/v1/auth/keys",
                json_body={"name": "bench"},
                headers={"Authorization": f"Bearer {login['token']}"},
            )
            self.measure(
                "apikey",
                f"{base}/api/v1/auth/me",
                "get",
                {"BENCH_HEADER_1": f"X-API-Key: {key['apiKey']}"},
            )
        if "login" in only:
            self.measure(
                "login_1",
                f"{base}/api/v1/auth/login",
                "login",
                {**v1_login_env, "BENCH_USERS": "1"},
            )
            self.measure(
                "login",
                f"{base}/api/v1/auth/login",
                "login",
                {**v1_login_env, "BENCH_USERS": str(self.args.users)},
            )
        if "refresh" in only:
            self.refresh("refresh_pg" if database_url.startswith("postgres") else "refresh", base)
        if "storm" in only:
            self.storm(
                "storm",
                (f"{base}/api/v1/auth/me", "get", bearer),
                (
                    f"{base}/api/v1/auth/login",
                    {**v1_login_env, "BENCH_USERS": str(self.args.users)},
                ),
            )
        if self.args.big:
            self.big(database_url, base, bearer, v1_login_env)
        self.facts["worker_rss_mb"] = worker_rss_mb(proc)
        say(f"resident memory per worker: {self.facts['worker_rss_mb']} MB")
        self.procs.stop(proc)

    def refresh(self, name: str, base: str) -> None:
        files = []
        for phase in ("warmup", "measured"):
            tokens = http.refresh_tokens(base, REFRESH_SESSIONS, PASSWORD, self.args.users)
            path = self.run_dir / f"{name}-{phase}.tokens"
            path.write_text("\n".join(tokens) + "\n")
            files.append(path)
        url = f"{base}/api/v1/auth/refresh"
        if self.args.warmup > 0:
            wrk.run(url, "refresh", self.args.warmup, {"BENCH_TOKENS": str(files[0])})
        self.record(
            name, wrk.run(url, "refresh", self.args.duration, {"BENCH_TOKENS": str(files[1])})
        )

    def run_refresh_pg(self, database_url: str) -> None:
        asyncio.run(seed.reset(database_url))
        asyncio.run(seed.add_users(database_url, 1, self.args.users, self.password_hash))
        proc, base = self.start_authgate("authgate-pg", database_url)
        self.refresh("refresh_pg", base)
        self.procs.stop(proc)

    def big(
        self, database_url: str, base: str, bearer: dict[str, str], login_env: dict[str, str]
    ) -> None:
        took = asyncio.run(
            seed.add_users(database_url, self.args.users + 1, BIG, self.password_hash)
        )
        say(f"seeded up to {BIG:,} users in {took:.1f} s")
        self.facts["users_big"] = asyncio.run(seed.count_users(database_url))
        self.measure("verify_big", f"{base}/api/v1/auth/me", "get", bearer)
        self.measure(
            "login_big",
            f"{base}/api/v1/auth/login",
            "login",
            {**login_env, "BENCH_USERS": str(BIG)},
        )

    def run_peer(self) -> None:
        python = ensure_peer_venv()
        db = self.run_dir / "peer.db"
        subprocess.run(
            [
                str(python),
                str(PEER_DIR / "app.py"),
                "seed",
                str(db),
                str(self.args.users),
                PASSWORD,
            ],
            check=True,
        )
        port = free_port()
        argv = [
            str(python),
            "-m",
            "uvicorn",
            "app:app",
            "--app-dir",
            str(PEER_DIR),
            "--port",
            str(port),
            "--workers",
            str(self.args.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        proc = self.procs.start("peer", argv, env={"PEER_DATABASE_FILE": str(db)}, cwd=self.run_dir)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(f"{base}/healthz", proc)

        def peer_login() -> Any:
            return http.call(
                "POST",
                f"{base}/auth/jwt/login",
                form={"username": "bench1@example.com", "password": PASSWORD},
            )

        token = peer_login()["access_token"]
        self.use_probe(peer_login)
        bearer = {"BENCH_HEADER_1": f"Authorization: Bearer {token}"}
        login_env = {
            "BENCH_BODY": "username=bench%d%%40example.com&password=" + PASSWORD,
            "BENCH_CONTENT_TYPE": "application/x-www-form-urlencoded",
            "BENCH_USERS": str(self.args.users),
        }
        self.measure("peer_baseline", f"{base}/healthz", "get", {})
        self.measure("peer_verify", f"{base}/users/me", "get", bearer)
        self.measure("peer_login", f"{base}/auth/jwt/login", "login", login_env)
        if "storm" in self.args.only:
            self.storm(
                "peer_storm",
                (f"{base}/users/me", "get", bearer),
                (f"{base}/auth/jwt/login", login_env),
            )
        self.facts["peer_worker_rss_mb"] = worker_rss_mb(proc)
        self.facts["peer_versions"] = subprocess.run(
            [str(python), "-m", "pip", "list", "--format=json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        self.procs.stop(proc)

    # the hash, measured in-process at the server's parameters
    def measure_hash(self) -> None:
        from pwdlib.hashers.argon2 import Argon2Hasher

        from authgate.config import Settings

        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        hasher = Argon2Hasher(
            memory_cost=settings.argon2_memory_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
        )
        self.password_hash = hasher.hash(PASSWORD)
        times = []
        for _ in range(15):
            started = time.perf_counter()
            hasher.verify(PASSWORD, self.password_hash)
            times.append(time.perf_counter() - started)
        self.facts.update(
            argon2={
                "memory_kib": settings.argon2_memory_kib,
                "time_cost": settings.argon2_time_cost,
                "parallelism": settings.argon2_parallelism,
            },
            verify_seconds=statistics.median(times),
            hash_threads_per_worker=settings.hash_threads,
        )
        say(f"argon2id verify: {self.facts['verify_seconds'] * 1000:.1f} ms (median of 15)")


def ensure_peer_venv() -> Path:
    """The peer's own virtualenv with fastapi-users (latest), made on first use."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    probe = subprocess.run(
        [str(python), "-c", "import fastapi_users, aiosqlite, uvicorn"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "--upgrade",
                "-r",
                str(PEER_DIR / "requirements.txt"),
            ],
            check=True,
        )
    return python


def machine() -> dict[str, Any]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "load_before": os.getloadavg(),
    }


def commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def _interrupted(signum: int, frame: types.FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupted)
    wrk.ensure_wrk()
    started = datetime.now(UTC)
    results_dir = ROOT / "bench" / "results"
    run_dir = results_dir / started.strftime("%Y%m%dT%H%M%SZ")
    run_dir.mkdir(parents=True, exist_ok=True)
    procs = Processes(run_dir)
    bench = Bench(args, run_dir, procs)
    try:
        bench.measure_hash()
        authgate_only = args.only - {"peer"}
        if authgate_only:
            database_url = args.db or f"sqlite:///{run_dir / 'authgate.db'}"
            bench.run_authgate(database_url)
            if args.pg and "refresh" in args.only and not database_url.startswith("postgres"):
                bench.run_refresh_pg(args.pg)
        if "peer" in args.only:
            bench.run_peer()
    except KeyboardInterrupt:
        say("interrupted: every process started is stopped")
        return 130
    finally:
        wrk.stop_all()
        procs.close()
    document = {
        "date": started.isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": machine(),
        "settings": {
            "workers": args.workers,
            "users": args.users,
            "database": "postgresql" if (args.db or "").startswith("postgres") else "sqlite",
            "wrk": {
                "threads": wrk.THREADS,
                "connections": wrk.CONNECTIONS,
                "warmup_s": args.warmup,
                "duration_s": args.duration,
            },
        },
        "facts": {k: v for k, v in bench.facts.items() if k != "peer_versions"},
        "peer_versions": report.peer_versions(bench.facts.get("peer_versions")),
        "results": bench.results,
    }
    document["targets"] = report.targets(document)
    out = args.out or run_dir.with_suffix(".json")
    out.write_text(json.dumps(document, indent=2) + "\n")
    (results_dir / "latest.json").write_text(json.dumps(document, indent=2) + "\n")
    say("\n" + report.markdown(document) + f"\n\nresult: {out}")
    if args.write_docs:
        report.write_docs(
            document, ROOT / "docs" / "performance.md", ROOT / "docs" / "performance.png"
        )
        say("updated docs/performance.md and docs/performance.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
