"""Register values are data too (issue 10.1): opsbook's own rendering of ``net_*`` variables runs
in Jinja's sandbox, so a value from the register (or a NetBox export) cannot run code here."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsbook.errors import UsageError
from opsbook.network.inventory import resolve_net_vars


def test_a_register_value_cannot_reach_python(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    hostile = f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}"
    with pytest.raises(UsageError, match=r"cannot render variable net_banner: .* unsafe"):
        resolve_net_vars("sw1", {"net_banner": hostile})
    assert not marker.exists()


def test_references_to_other_variables_still_render() -> None:
    rendered = resolve_net_vars(
        "sw1", {"net_hostname": "{{ inventory_hostname }}-{{ asset_site }}", "asset_site": "fra"}
    )
    assert rendered["net_hostname"] == "sw1-fra"
