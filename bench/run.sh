#!/bin/sh
# One command: the project's virtualenv with the bench extra, then the harness.
set -eu
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -c 'import authgate, matplotlib' 2>/dev/null || .venv/bin/pip install -q -e '.[bench]'
exec .venv/bin/python -m bench "$@"
