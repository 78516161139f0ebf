"""What `opsbook net` prints: listings (rich, via :mod:`opsbook.render.terminal`) and their JSON.

Every listing has a ``--json`` twin built from the same rows. Identifiers (device names, commit
ids), serials, dates and paths are key columns: never cut or wrapped, at 80 columns or piped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

from opsbook.network.backup import BackupEntry, BackupStore
from opsbook.network.compliance import DeviceCompliance, DeviceStatus
from opsbook.network.connect import Outcome
from opsbook.network.facts import DeviceFacts
from opsbook.network.operations import BackupRun
from opsbook.network.redact import redact_lines
from opsbook.network.remediation import management_touches, plan
from opsbook.network.render import Intended
from opsbook.render.terminal import Col, print_listing, print_path


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def error_text(outcome: Outcome[Any]) -> str:
    return outcome.error.message if outcome.error is not None else ""


# -- backup run -------------------------------------------------------------------------------


def backup_run_data(run: BackupRun, store: BackupStore) -> dict[str, Any]:
    devices = []
    for outcome in run.outcomes:
        if not outcome.ok:
            result, error = "failed", error_text(outcome)
        else:
            result, error = ("changed" if outcome.device.name in run.changed else "unchanged"), ""
        devices.append(
            {
                "device": outcome.device.name,
                "platform": outcome.device.platform,
                "result": result,
                "error": error,
            }
        )
    return {"store": str(store.root), "commit": run.commit or "", "devices": devices}


def print_backup_run(out: Console, data: dict[str, Any]) -> None:
    styles = {"failed": "red", "changed": "yellow", "unchanged": ""}
    rows = [
        [d["device"], d["platform"], Text(d["result"], style=styles[d["result"]]), d["error"]]
        for d in data["devices"]
    ]
    cols = [Col("device", key=True), Col("platform"), Col("result"), Col("error")]
    print_listing(out, cols, rows)
    print_path(out, "store:", data["store"])
    out.print(
        Text(f"commit: {data['commit']}" if data["commit"] else "commit: none (nothing changed)"),
        soft_wrap=True,
    )


# -- backups of a device ------------------------------------------------------------------------


def backups_data(
    device: str, store: BackupStore, as_of: str, entries: Sequence[BackupEntry]
) -> dict[str, Any]:
    return {
        "device": device,
        "store": str(store.root),
        "as_of": as_of,
        "backups": [
            {"ref": f"@{i}", "commit": e.commit, "when": e.when, "who": e.who, "subject": e.subject}
            for i, e in enumerate(entries, 1)
        ],
    }


def _utc(when: str) -> str:
    """``2026-12-03T09:38:07+00:00`` → ``2026-12-03T09:38:07Z`` (shorter, the same instant)."""
    return when.removesuffix("+00:00") + "Z" if when.endswith("+00:00") else when


def print_backups(out: Console, data: dict[str, Any]) -> None:
    as_of = data["as_of"][:12]
    rows = [
        [b["commit"][:12], _utc(b["when"]), f"@{i}", b["who"], b["subject"].split(", by ", 1)[0]]
        for i, b in enumerate(data["backups"], 1)
    ]
    cols = [
        Col("commit", key=True),
        Col("when (UTC)", key=True),
        Col("ref", key=True),
        Col("who", key=True),
        Col("what"),
    ]
    print_listing(out, cols, rows, title=f"{data['device']}: backups, newest first, as of {as_of}")
    device = data["device"]
    hints = [
        f"name a backup by its commit id or date (stable), or by @N with --as-of {as_of}",
        f"e.g. opsbook net diff {device} @2 @1 --as-of {as_of}",
    ]
    for hint in hints:
        out.print(Text(hint, style="dim"), soft_wrap=True)


# -- compliance ---------------------------------------------------------------------------------

_STATUS_STYLE = {
    DeviceStatus.COMPLIANT: "green",
    DeviceStatus.DRIFTED: "yellow",
    DeviceStatus.UNVERIFIABLE: "red",
    DeviceStatus.UNREACHABLE: "red",
}


def print_compliance(results: list[DeviceCompliance], out: Console, *, details: bool = True) -> None:
    rows: list[list[str | Text]] = []
    for r in results:
        marks = " ".join(f"{'✓' if f.compliant else '✗'}{f.feature}" for f in r.features) or r.error
        rows.append([r.device, r.platform, Text(r.status.value, style=_STATUS_STYLE[r.status]), marks])
    cols = [Col("device", key=True), Col("platform"), Col("status"), Col("features (✓ compliant, ✗ drift)")]
    print_listing(out, cols, rows)
    if not details:
        return
    for r in results:
        for f in r.features:
            if f.compliant:
                continue
            out.print(Text(f"{r.device} · {f.feature}", style="bold"), soft_wrap=True)
            for line in f.missing:
                out.print(Text(f"  + {line}", style="green"), soft_wrap=True)
            for line in f.extra:
                out.print(Text(f"  - {line}", style="red"), soft_wrap=True)


def compliance_counts(results: Sequence[DeviceCompliance]) -> str:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    return ", ".join(f"{v} {k}" for k, v in counts.items())


# -- facts --------------------------------------------------------------------------------------


def facts_data(outcomes: Sequence[Outcome[DeviceFacts]]) -> dict[str, Any]:
    return {
        "facts": [o.value.to_dict() for o in outcomes if o.value is not None],
        "errors": {o.device.name: error_text(o) for o in outcomes if not o.ok},
    }


def print_facts(out: Console, outcomes: Sequence[Outcome[DeviceFacts]]) -> None:
    facts = [o.value for o in outcomes if o.value is not None]
    cols = [
        Col("device", key=True),
        Col("vendor"),
        Col("model", key=True),
        Col("serial", key=True),
        Col("version", key=True),
        Col("hostname", key=True),
    ]
    print_listing(out, cols, [[f.device, f.vendor, f.model, f.serial, f.version, f.hostname] for f in facts])
    for o in outcomes:
        if not o.ok:
            out.print(Text(f"{o.device.name}: {error_text(o)}", style="red"), soft_wrap=True)


# -- remediation --------------------------------------------------------------------------------


def print_lines(out: Console, title: str, lines: Sequence[str]) -> None:
    out.print(Text(f"  {title}", style="bold"), soft_wrap=True)
    for line in lines:
        out.print(Text(f"    {line}"), soft_wrap=True)


def remediation_data(
    outcome: Outcome[str], intended: Intended | Exception, features: Sequence[str] | None
) -> dict[str, Any]:
    """One device's remediation plan (redacted) as data: commands, rollback, management lines."""
    device = outcome.device
    data: dict[str, Any] = {
        "device": device.name,
        "platform": device.platform,
        "features": [],
        "commands": [],
        "rollback": [],
        "management": [],
        "error": "",
    }
    if isinstance(intended, Exception) or not outcome.ok or outcome.value is None:
        data["error"] = error_text(outcome) or str(intended)
        return data
    p = plan(device.name, device.platform, outcome.value, intended.only(features).features)
    mgmt_acl = device.vars.get("net_mgmt_acl")
    touches = management_touches(
        p.commands,
        device.platform,
        mgmt_interface=device.vars.get("net_mgmt_interface"),
        mgmt_acl=str(mgmt_acl) if mgmt_acl is not None else None,
    )
    data.update(
        checked=list(intended.only(features).features),
        features=p.features,
        commands=p.redacted_commands(),
        rollback=p.redacted_rollback(),
        management=redact_lines(touches, device.platform),
    )
    return data


def print_remediation(out: Console, plans: Sequence[dict[str, Any]]) -> None:
    for p in plans:
        if p["error"]:
            out.print(Text(f"{p['device']}: {p['error']}", style="red"), soft_wrap=True)
        elif not p["commands"]:
            checked = ", ".join(p["checked"]) or "no feature"
            out.print(Text(f"{p['device']}: nothing to do in {checked}", style="green"), soft_wrap=True)
        else:
            head = f"{p['device']} ({p['platform']}) — features: {', '.join(p['features'])}"
            out.print(Text(head, style="bold"), soft_wrap=True)
            print_lines(out, "remediation", p["commands"])
            print_lines(out, "rollback", p["rollback"])
            if p["management"]:
                print_lines(
                    out, "touching management (push refuses these without --allow-mgmt)", p["management"]
                )
