#!/usr/bin/env bash
# Sets up everything opsbook needs on this machine, idempotently, quickly when all is there:
#   1. Debian packages (podman, runc, mmdebstrap, chromium …) — needs root and apt;
#   2. the virtual environment .venv (Python 3.12) with opsbook and its dependencies,
#      reinstalled only when pyproject.toml changes.
# Without root or apt it says exactly what to install and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(podman runc mmdebstrap uidmap fuse-overlayfs slirp4netns openssh-client git chromium lynis)
PYTHON_VERSION="$(cat .python-version)"

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "opsbook needs these Debian packages: ${missing[*]}" >&2
    echo "Install them as root:  apt-get install -y ${missing[*]}" >&2
    echo "then run this command again." >&2
    exit 1
  fi
  echo "==> installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

find_python() {
  local candidates=(
    "${PYENV_ROOT:-$HOME/.pyenv}/versions/${PYTHON_VERSION}/bin/python3"
    "$(command -v "python${PYTHON_VERSION%.*}" || true)"
    "$(command -v python3 || true)"
  )
  for py in "${candidates[@]}"; do
    [[ -n "$py" && -x "$py" ]] || continue
    if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  return 1
}

if [[ ! -x .venv/bin/python ]]; then
  if ! py="$(find_python)"; then
    echo "opsbook needs Python >= 3.12 (ansible-core 2.21 does)." >&2
    echo "Install it, e.g. 'pyenv install ${PYTHON_VERSION}', or put python3.12 on PATH, then run again." >&2
    exit 1
  fi
  echo "==> creating .venv with $py"
  "$py" -m venv .venv
fi

stamp=.venv/.opsbook-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  echo "==> installing opsbook and its dependencies into .venv (first time: a few minutes)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  echo "$want" >"$stamp"
fi
