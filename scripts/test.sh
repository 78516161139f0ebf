#!/usr/bin/env bash
# The test command: sets everything up (idempotent), runs the quality gates, then every test —
# unit tests (no lab) and lab tests (real podman containers booting systemd, simulated devices,
# molecule scenarios). The lab tests start and remove their own lab; nothing is left running.
#   bash scripts/test.sh              everything
#   bash scripts/test.sh tests/unit   only the given pytest arguments (gates still run)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

export PATH="$PWD/.venv/bin:$PATH"
eval "$(opsbook lab env)"

echo "==> quality gates"
ruff check .
ruff format --check .
mypy src library module_utils playbooks/emergency/library
yamllint -s .
ansible-lint -q
lint-imports --no-cache  # the import contracts of ARCHITECTURE.md (.importlinter)

echo "==> tests"
if (($#)); then
  exec pytest "$@"
fi
exec pytest tests
