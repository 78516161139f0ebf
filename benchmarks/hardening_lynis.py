"""Lynis hardening index of a lab host before and after the linux_hardening role.

Starts one fresh container from the lab image (with CAP_NET_ADMIN, so that the role's nftables
firewall can load, as on a real server), installs Lynis in it (apt-get install lynis), runs
``lynis audit system --quick``, applies roles/linux_hardening with its defaults, runs Lynis again
and prints both indexes. The target is at least +15 points. The container is removed at the end.

    .venv/bin/python benchmarks/hardening_lynis.py [--json] [--keep]

Exit code 0 when the target is met, 1 when not, 2 when the measurement itself failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from opsbook.errors import OpsbookError
from opsbook.lab.image import ensure_image
from opsbook.lab.podman import podman, podman_env
from opsbook.paths import project_paths
from opsbook.runner import run_playbook

TARGET_GAIN = 15
LYNIS_REPORT = "/var/log/lynis-report.dat"
PLAYBOOK = """\
- name: Apply linux_hardening (benchmark)
  hosts: all
  become: false
  gather_facts: true
  roles:
    - role: linux_hardening
"""


@dataclass(frozen=True)
class Measurement:
    before: int
    after: int
    target_gain: int
    lynis_seconds: float
    role_seconds: float
    suggestions_before: int
    suggestions_after: int

    @property
    def gain(self) -> int:
        return self.after - self.before

    @property
    def met(self) -> bool:
        return self.gain >= self.target_gain


def parse_report(text: str) -> tuple[int, int]:
    """Hardening index and number of suggestions from Lynis' report file."""
    match = re.search(r"^hardening_index=(\d+)\s*$", text, re.M)
    if match is None:
        raise OpsbookError(f"no hardening_index= line in {LYNIS_REPORT}", hint="look at the Lynis output")
    suggestions = len(re.findall(r"^suggestion\[\]=", text, re.M))
    return int(match.group(1)), suggestions


def _exec(container: str, env: dict[str, str], command: str, timeout: float = 600) -> str:
    proc = podman("exec", container, "sh", "-c", command, env=env, timeout=timeout)
    return proc.stdout


def run_lynis(container: str, env: dict[str, str]) -> tuple[int, int, float]:
    started = time.monotonic()
    _exec(
        container,
        env,
        f"rm -f {LYNIS_REPORT}; lynis audit system --quick --no-colors >/dev/null 2>&1 || true",
    )
    seconds = time.monotonic() - started
    index, suggestions = parse_report(_exec(container, env, f"cat {LYNIS_REPORT}"))
    return index, suggestions, seconds


def measure(keep: bool = False) -> Measurement:
    paths = project_paths()
    env = podman_env(paths)
    image = ensure_image(paths, env)
    apt_cache = paths.state / "cache" / "apt"
    for sub in ("archives/partial", "lists/partial"):
        (apt_cache / sub).mkdir(parents=True, exist_ok=True)
    container = f"opsbook-bench-lynis-{os.getpid()}"
    podman(
        "run",
        "--detach",
        "--name",
        container,
        "--hostname",
        container,
        "--systemd=always",
        "--cap-add",
        "NET_ADMIN",
        "--volume",
        f"{apt_cache / 'archives'}:/var/cache/apt/archives",
        "--volume",
        f"{apt_cache / 'lists'}:/var/lib/apt/lists",
        image,
        "/sbin/init",
        env=env,
        timeout=120,
    )
    try:
        _exec(container, env, "systemctl is-system-running --wait >/dev/null 2>&1 || true", timeout=180)
        _exec(
            container,
            env,
            "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lynis >/dev/null",
        )
        before, sugg_before, lynis_seconds = run_lynis(container, env)
        with tempfile.TemporaryDirectory(prefix="opsbook-bench-") as tmp:
            work = Path(tmp)
            inventory = work / "inventory.ini"
            inventory.write_text(
                f"{container} ansible_connection=containers.podman.podman "
                "ansible_python_interpreter=/usr/bin/python3\n",
                encoding="utf-8",
            )
            playbook = work / "harden.yml"
            playbook.write_text(PLAYBOOK, encoding="utf-8")
            started = time.monotonic()
            result = run_playbook(
                playbook,
                inventory=[inventory],
                progress=False,
                runs_dir=work / "runs",
                register_check=False,
                label="benchmark hardening_lynis",
            )
            role_seconds = time.monotonic() - started
            if result.status != "successful":
                raise OpsbookError(
                    f"linux_hardening failed on {container}: {result.error or result.status}",
                    hint=f"artifacts: {result.artifact_dir}",
                )
        after, sugg_after, _ = run_lynis(container, env)
    finally:
        if not keep:
            podman("rm", "--force", "--time", "0", container, env=env, check=False)
    return Measurement(
        before, after, TARGET_GAIN, round(lynis_seconds, 1), round(role_seconds, 1), sugg_before, sugg_after
    )


def render(m: Measurement) -> str:
    rows = [
        ("Lynis hardening index before", str(m.before)),
        ("Lynis hardening index after linux_hardening", str(m.after)),
        ("Gain", f"{m.gain:+d} (target +{m.target_gain}: {'met' if m.met else 'NOT met'})"),
        ("Lynis suggestions before / after", f"{m.suggestions_before} / {m.suggestions_after}"),
        ("One Lynis run / the role", f"{m.lynis_seconds:.0f} s / {m.role_seconds:.0f} s"),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the container (remove it yourself)")
    args = parser.parse_args(argv)
    try:
        result = measure(keep=args.keep)
    except OpsbookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({**asdict(result), "gain": result.gain, "met": result.met}, indent=2))
    else:
        print(render(result))
    return 0 if result.met else 1


if __name__ == "__main__":
    sys.exit(main())
