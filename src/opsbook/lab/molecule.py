"""What the roles' molecule scenarios need from the lab: its image and a shared apt cache.

Each ``roles/*/molecule/default/molecule.yml`` starts its container from ``$OPSBOOK_LAB_IMAGE``
and mounts ``$OPSBOOK_APT_CACHE`` (package lists and downloaded packages, shared by every
scenario so that each downloads less). ``opsbook lab env --molecule`` prints both;
tests/lab/test_roles_molecule.py uses the same function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from opsbook.lab.image import ensure_image
from opsbook.paths import ProjectPaths


def molecule_vars(
    paths: ProjectPaths, env: Mapping[str, str], *, log: Callable[[str], None] = lambda _msg: None
) -> dict[str, str]:
    """OPSBOOK_LAB_IMAGE (built first when the recipe's image is missing) and OPSBOOK_APT_CACHE."""
    apt_cache = paths.state_root / "cache" / "apt"
    for sub in ("archives/partial", "lists/partial"):
        (apt_cache / sub).mkdir(parents=True, exist_ok=True)
    return {"OPSBOOK_LAB_IMAGE": ensure_image(paths, env, log=log), "OPSBOOK_APT_CACHE": str(apt_cache)}
