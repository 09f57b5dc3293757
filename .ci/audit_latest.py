"""Fallback dependency audit for networks where pip-audit cannot reach its advisory data.

pip-audit asks PyPI's per-release JSON (or OSV) for each pinned version. Where only
PyPI's per-project JSON is reachable, this reads the advisories PyPI publishes there,
which describe the project's latest release: a pin at the latest release is audited
against them; a pin below it is listed as not audited (re-lock to bring it up).
Exit 1 on any advisory against a pinned version.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)")


def pins(lock: str) -> list[tuple[str, str]]:
    found = []
    with open(lock, encoding="utf-8") as handle:
        for line in handle:
            match = PIN.match(line.strip())
            if match:
                found.append((match.group(1), match.group(2)))
    return found


def project(name: str) -> dict[str, object]:
    url = f"https://pypi.org/pypi/{name}/json"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - fixed https URL
        data: dict[str, object] = json.load(response)
    return data


def main(lock: str) -> int:
    locked = pins(lock)
    with ThreadPoolExecutor(max_workers=8) as pool:
        projects = list(pool.map(lambda pin: project(pin[0]), locked))
    failed, below = False, []
    for (name, version), data in zip(locked, projects, strict=True):
        info = data["info"]
        assert isinstance(info, dict)
        latest = info["version"]
        if version != latest:
            below.append(f"{name}=={version} (latest {latest})")
            continue
        vulnerabilities = data.get("vulnerabilities") or []
        assert isinstance(vulnerabilities, list)
        for vuln in vulnerabilities:
            failed = True
            print(f"VULNERABLE {name}=={version}: {vuln.get('id')} {vuln.get('aliases')}")
    audited = len(locked) - len(below)
    print(f"{audited} of {len(locked)} pinned packages audited against PyPI's advisories")
    for pin in below:
        print(f"not audited here (below the latest release): {pin}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
