"""Each customer context keeps its own fact cache: facts of acme's hosts never land beside northwind's."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsbook.paths import ProjectPaths
from opsbook.runner.execute import _environment

ROOT = Path(__file__).resolve().parents[2]


def test_a_customer_context_caches_facts_in_its_own_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANSIBLE_CACHE_PLUGIN_CONNECTION", raising=False)
    acme = ProjectPaths(ROOT, customer="acme")
    northwind = ProjectPaths(ROOT, customer="northwind")
    acme_env = _environment(acme, None)
    assert acme_env["ANSIBLE_CACHE_PLUGIN_CONNECTION"] == str(acme.state / "facts")
    assert _environment(northwind, None)["ANSIBLE_CACHE_PLUGIN_CONNECTION"] == str(northwind.state / "facts")
    assert acme.state != northwind.state


def test_no_context_and_an_explicit_setting_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANSIBLE_CACHE_PLUGIN_CONNECTION", raising=False)
    assert "ANSIBLE_CACHE_PLUGIN_CONNECTION" not in _environment(ProjectPaths(ROOT), None)
    monkeypatch.setenv("ANSIBLE_CACHE_PLUGIN_CONNECTION", "/var/cache/facts")
    assert "ANSIBLE_CACHE_PLUGIN_CONNECTION" not in _environment(ProjectPaths(ROOT, customer="acme"), None)
