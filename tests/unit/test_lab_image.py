"""The image recipe: its hash (the image tag) changes exactly when the recipe does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from opsbook.lab.image import IMAGE_REPOSITORY, MIRRORS, PACKAGES, Recipe, mmdebstrap_command

REQUIRED_PACKAGES = {
    "python3",
    "python3-apt",
    "systemd",
    "systemd-sysv",
    "dbus",
    "openssh-server",
    "sudo",
    "iproute2",
    "procps",
    "logrotate",
    "cron",
    "e2fsprogs",
    "util-linux",
    "ca-certificates",
    "less",
    "gzip",
    "apt-utils",
}


def test_recipe_has_the_required_packages() -> None:
    assert set(PACKAGES) >= REQUIRED_PACKAGES


def test_the_hash_is_stable_and_is_the_tag() -> None:
    recipe = Recipe()
    assert recipe.digest() == Recipe().digest()
    assert len(recipe.digest()) == 12
    assert recipe.tag == f"{IMAGE_REPOSITORY}:{recipe.digest()}"


def test_package_order_does_not_change_the_hash() -> None:
    recipe = Recipe()
    assert replace(recipe, packages=tuple(reversed(recipe.packages))).digest() == recipe.digest()


def test_changing_packages_customise_or_mirrors_changes_the_hash() -> None:
    recipe = Recipe()
    changed = [
        replace(recipe, packages=(*recipe.packages, "nginx")),
        replace(recipe, customise=recipe.customise + "echo more\n"),
        replace(recipe, mirrors=recipe.mirrors[:1]),
        replace(recipe, suite="trixie"),
        replace(recipe, keep_apt_lists=False),
    ]
    digests = {r.digest() for r in changed}
    assert recipe.digest() not in digests
    assert len(digests) == len(changed)


def test_mmdebstrap_uses_the_debian_mirror_with_updates_and_security(tmp_path: Path) -> None:
    cmd = mmdebstrap_command(Recipe(), tmp_path / "rootfs.tar", tmp_path / "customise.sh")
    assert cmd[0] == "mmdebstrap"
    assert cmd[-3:] == list(MIRRORS)
    assert any("bookworm-updates" in m for m in MIRRORS)
    assert any("debian-security bookworm-security" in m for m in MIRRORS)
    include = next(a for a in cmd if a.startswith("--include="))
    assert set(include.removeprefix("--include=").split(",")) >= REQUIRED_PACKAGES
    assert str(tmp_path / "rootfs.tar") in cmd
    assert "--skip=cleanup/apt/lists" in cmd, "the image keeps its package lists"


def test_customise_script_sets_up_admin_ssh_keys_at_boot_and_apt() -> None:
    script = Recipe().customise
    assert "useradd" in script and "NOPASSWD" in script
    assert "rm -f /etc/ssh/ssh_host_*" in script and "ssh-keygen -A" in script
    assert "systemctl enable opsbook-ssh-hostkeys.service ssh.service" in script
