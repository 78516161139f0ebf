"""The lab's Debian 12 image: built locally from Debian packages, cached by its recipe's hash.

mmdebstrap builds a root filesystem tarball from the Debian mirror, ``podman import`` turns it
into ``localhost/opsbook-lab-debian12:<hash>``. The tag carries a hash of the recipe (mirrors,
package list, customise script), so the image is rebuilt only when the recipe changes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from opsbook.errors import OpsbookError
from opsbook.lab.podman import podman, podman_state_dir
from opsbook.paths import ProjectPaths

IMAGE_REPOSITORY = "localhost/opsbook-lab-debian12"
ADMIN_USER = "opsadmin"

SUITE = "bookworm"
# The machine's Debian mirror, as apt uses it: the release, its updates and security.
MIRRORS: tuple[str, ...] = (
    "deb http://deb.debian.org/debian bookworm main",
    "deb http://deb.debian.org/debian bookworm-updates main",
    "deb http://deb.debian.org/debian-security bookworm-security main",
)
PACKAGES: tuple[str, ...] = (
    "adduser",
    "apt-utils",
    "ca-certificates",
    "cron",
    "dbus",
    "e2fsprogs",
    "gzip",
    "iproute2",
    "iputils-ping",
    "less",
    "logrotate",
    "netbase",
    "openssh-server",
    "passwd",
    "procps",
    "python3",
    "python3-apt",
    "sudo",
    "systemd",
    "systemd-sysv",
    "tzdata",
    "util-linux",
)

# Runs inside the new root filesystem (chroot) once all packages are installed.
CUSTOMISE_SCRIPT = f"""\
set -eu
# The admin user Ansible logs in as: key authentication only, passwordless sudo.
useradd --create-home --shell /bin/bash --comment "opsbook lab admin" {ADMIN_USER}
usermod --password '*' {ADMIN_USER}
install -d -m 0700 -o {ADMIN_USER} -g {ADMIN_USER} /home/{ADMIN_USER}/.ssh
printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\\n' {ADMIN_USER} > /etc/sudoers.d/{ADMIN_USER}
chmod 0440 /etc/sudoers.d/{ADMIN_USER}

# SSH host keys are unique per container: removed here, generated at first boot.
rm -f /etc/ssh/ssh_host_*
cat > /etc/systemd/system/opsbook-ssh-hostkeys.service <<'EOF'
[Unit]
Description=Generate missing SSH host keys (opsbook lab)
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=ssh.service multi-user.target
EOF
systemctl enable opsbook-ssh-hostkeys.service ssh.service

# Units that cannot work in a container would leave the system "degraded".
systemctl mask systemd-remount-fs.service getty.target console-getty.service \\
    systemd-firstboot.service sys-kernel-config.mount sys-kernel-debug.mount \\
    sys-kernel-tracing.mount
# Each container gets its own machine id at boot.
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id
# The package lists of the build are kept (mmdebstrap --skip=cleanup/apt/lists): health can count
# pending security updates on a new host. They are as old as the image, and Ansible's
# cache_valid_time sees exactly that age (the lists folder's mtime), so roles refresh them once
# they are older than they allow.
"""


@dataclass(frozen=True)
class Recipe:
    """What goes into the image; its hash is the image tag."""

    suite: str = SUITE
    mirrors: tuple[str, ...] = MIRRORS
    packages: tuple[str, ...] = PACKAGES
    customise: str = CUSTOMISE_SCRIPT
    #: keep the package lists mmdebstrap downloaded (its default removes them)
    keep_apt_lists: bool = True

    def digest(self) -> str:
        payload = json.dumps(
            {
                "suite": self.suite,
                "mirrors": list(self.mirrors),
                "packages": sorted(set(self.packages)),
                "customise": self.customise,
                "keep_apt_lists": self.keep_apt_lists,
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]

    @property
    def tag(self) -> str:
        return f"{IMAGE_REPOSITORY}:{self.digest()}"


def mmdebstrap_command(recipe: Recipe, output: Path, script: Path) -> list[str]:
    """The mmdebstrap command line that builds ``recipe`` into the tarball ``output``."""
    return [
        "mmdebstrap",
        "--variant=apt",
        "--format=tar",
        "--include=" + ",".join(sorted(set(recipe.packages))),
        *(["--skip=cleanup/apt/lists"] if recipe.keep_apt_lists else []),
        f'--customize-hook=cp {script} "$1/tmp/opsbook-customise.sh"',
        '--customize-hook=chroot "$1" /bin/sh /tmp/opsbook-customise.sh',
        '--customize-hook=rm -f "$1/tmp/opsbook-customise.sh"',
        recipe.suite,
        str(output),
        *recipe.mirrors,
    ]


def image_exists(tag: str, env: Mapping[str, str]) -> bool:
    return podman("image", "exists", tag, env=env, check=False).returncode == 0


@contextmanager
def _build_lock(lock_file: Path) -> Iterator[None]:
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_image(
    paths: ProjectPaths,
    env: Mapping[str, str],
    *,
    recipe: Recipe | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> str:
    """Return the image tag for ``recipe``, building it first if it is not there yet."""
    recipe = recipe or Recipe()
    tag = recipe.tag
    if image_exists(tag, env):
        return tag
    build_dir = podman_state_dir(paths) / "build"
    with _build_lock(build_dir / "image.lock"):
        if image_exists(tag, env):  # built meanwhile by another opsbook process
            return tag
        _build(recipe, build_dir, env, log)
        _remove_old_images(tag, env)
    return tag


def _build(recipe: Recipe, build_dir: Path, env: Mapping[str, str], log: Callable[[str], None]) -> None:
    if shutil.which("mmdebstrap") is None:
        raise OpsbookError(
            "mmdebstrap is not installed; the lab image is built from Debian packages with it.",
            hint="install it: apt-get install -y mmdebstrap",
        )
    digest = recipe.digest()
    script = build_dir / f"customise-{digest}.sh"
    tarball = build_dir / f"rootfs-{digest}.tar"
    build_log = build_dir / "mmdebstrap.log"
    script.write_text(recipe.customise, encoding="utf-8")
    log(f"building lab image {recipe.tag} with mmdebstrap (about a minute; log: {build_log})")
    try:
        with build_log.open("w", encoding="utf-8") as out:
            proc = subprocess.run(
                mmdebstrap_command(recipe, tarball, script),
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
                timeout=1800,
            )
        if proc.returncode != 0:
            tail = build_log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
            raise OpsbookError(
                f"building the lab image failed (mmdebstrap exit {proc.returncode}): {' | '.join(tail)}",
                hint=f"read {build_log}; the Debian mirror (deb.debian.org) must be reachable",
            )
        log(f"importing {tarball.name} into podman as {recipe.tag}")
        podman(
            "import",
            "--change",
            'CMD ["/sbin/init"]',
            "--change",
            "STOPSIGNAL SIGRTMIN+3",
            str(tarball),
            recipe.tag,
            env=env,
            timeout=600,
        )
    finally:
        tarball.unlink(missing_ok=True)
        script.unlink(missing_ok=True)


def _remove_old_images(keep: str, env: Mapping[str, str]) -> None:
    """Remove earlier recipes' images (best effort: one still used by a container stays)."""
    listing = podman("images", "--format", "{{.Repository}}:{{.Tag}}", IMAGE_REPOSITORY, env=env, check=False)
    for ref in listing.stdout.split():
        if ref != keep and ref.startswith(IMAGE_REPOSITORY + ":"):
            podman("rmi", ref, env=env, check=False)
