"""wrk with fixed settings; one JSON line per run from lua/report.lua."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

LUA = Path(__file__).parent / "lua"
THREADS = 2
CONNECTIONS = 32
# wrk processes still running, with their script: killed and removed by stop_all().
_running: dict[subprocess.Popen[str], Path] = {}


@dataclass(frozen=True)
class Result:
    requests: int
    duration_us: int
    non2xx: int
    socket_errors: int
    p50_us: int
    p90_us: int
    p99_us: int
    max_us: int

    @property
    def rps(self) -> float:
        return self.requests / (self.duration_us / 1e6)

    @property
    def ok_rps(self) -> float:
        """Requests per second answered 2xx/3xx."""
        return (self.requests - self.non2xx) / (self.duration_us / 1e6)

    def summary(self) -> dict[str, float | int]:
        return {
            **asdict(self),
            "rps": round(self.rps, 1),
            "ok_rps": round(self.ok_rps, 1),
            "p50_ms": round(self.p50_us / 1000, 2),
            "p99_ms": round(self.p99_us / 1000, 2),
        }


def ensure_wrk() -> str:
    """wrk on PATH, installing the Debian package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "apt-get"]
    subprocess.run([*apt, "install", "-y", "-q", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and apt-get could not install it")
    return found


def script(kind: str) -> Path:
    """The scenario script with the report appended (wrk takes one script)."""
    text = (LUA / f"{kind}.lua").read_text() + "\n" + (LUA / "report.lua").read_text()
    handle = tempfile.NamedTemporaryFile("w", suffix=f"-{kind}.lua", delete=False)  # noqa: SIM115
    with handle:
        handle.write(text)
    return Path(handle.name)


def start(url: str, kind: str, seconds: float, env: dict[str, str]) -> subprocess.Popen[str]:
    lua = script(kind)
    argv = [
        ensure_wrk(),
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(lua),
        url,
    ]
    proc = subprocess.Popen(
        argv,
        env={**os.environ, "BENCH_THREADS": str(THREADS), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    _running[proc] = lua
    return proc


def stop_all() -> None:
    for proc in list(_running):
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        _running.pop(proc).unlink(missing_ok=True)


def finish(proc: subprocess.Popen[str], timeout: float) -> Result:
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    finally:
        lua = _running.pop(proc, None)
        if lua is not None:
            lua.unlink(missing_ok=True)
    for line in out.splitlines():
        if line.startswith("BENCH-JSON "):
            return Result(**json.loads(line.removeprefix("BENCH-JSON ")))
    raise RuntimeError(f"wrk printed no result:\n{out}")


def run(url: str, kind: str, seconds: float, env: dict[str, str]) -> Result:
    return finish(start(url, kind, seconds, env), timeout=seconds + 60)
