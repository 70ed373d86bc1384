#!/usr/bin/env bash
# Set up (idempotent), then run the whole test suite on CPU.   bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
exec .venv/bin/python -m pytest -q "$@"
