"""The lab may use the network part; the network part never uses the lab (issue 11, item 1).

The lab devices' intended ``net_*`` variables (``lab_net_vars``) live in ``opsbook.lab.devices``;
before, ``opsbook.network.labvars`` imported the simulator and the two parts depended on each
other both ways. Checked on the source, imports inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import opsbook.network

NETWORK = Path(opsbook.network.__file__).parent


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_no_network_module_imports_the_lab() -> None:
    offending = [
        f"{path.relative_to(NETWORK.parent)}:{line} imports {name}"
        for path in sorted(NETWORK.rglob("*.py"))
        for line, name in _imported_modules(path)
        if name == "opsbook.lab" or name.startswith("opsbook.lab.")
    ]
    assert offending == []


def test_the_lab_devices_intended_variables_come_from_the_lab() -> None:
    from opsbook.lab.devices.netvars import lab_net_vars  # noqa: PLC0415
    from opsbook.lab.devices.spec import DeviceSpec  # noqa: PLC0415

    spec = DeviceSpec(name="sw01", platform="cisco_ios", port=5501, username="admin", password="Lab-Pass-1")
    variables = lab_net_vars(spec)
    assert variables["net_hostname"] == "sw01"
    assert any(u.get("secret") == "Lab-Pass-1" for u in variables["net_local_users"])
