"""`opsbook net` — network devices: backup with history, intended config, compliance, remediation,
safe push and restore, facts. See docs/network.md.

Exit codes: 0 fine (compliant / applied / nothing to do); 2 drift found or a push was refused,
declined or rolled back; 1 a device could not be reached or checked, or a push failed.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from opsbook.cli import netviews
from opsbook.errors import UsageError
from opsbook.network import operations
from opsbook.network.backup import BackupStore, default_store
from opsbook.network.connect import DEFAULT_WORKERS, Outcome, netmiko_connector, run_many
from opsbook.network.derive import derive_vars
from opsbook.network.facts import device_facts
from opsbook.network.inventory import NetDevice, load_devices
from opsbook.network.push import (
    DEFAULT_REVERT_MINUTES,
    Prepared,
    PushOptions,
    PushResult,
    PushStatus,
    apply,
    prepare,
    prepare_restore,
)
from opsbook.network.redact import redact
from opsbook.network.remediation import plan
from opsbook.network.render import render_device
from opsbook.paths import project_paths
from opsbook.render.terminal import stdout_console

app = typer.Typer(
    help="Network devices (Cisco IOS, Huawei VRP): backup, intended config, compliance, safe push.",
    no_args_is_help=True,
)

InventoryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--inventory", "-i", help="Inventory file or folder; repeat for several. Default: inventory/lab."
    ),
]
LimitOpt = Annotated[
    str | None, typer.Option("--limit", "-l", help="Only these devices or groups (ansible pattern).")
]
StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store", help="Backup store (a git repository). Default: .opsbook/netbackup or $OPSBOOK_NETBACKUP."
    ),
]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="Devices handled at once (threads).")]


class Format(StrEnum):
    table = "table"
    json = "json"


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _store(store: Path | None) -> BackupStore:
    return BackupStore(store or default_store(project_paths()))


def _devices(inventory: list[str] | None, limit: str | None) -> list[NetDevice]:
    return load_devices(inventory or None, limit=limit)


def _error_text(outcome: Outcome[Any]) -> str:
    return outcome.error.message if outcome.error is not None else ""


# --------------------------------------------------------------------------------------------


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The commit a backups listing was printed as of: @N counts from there, so it never shifts.",
    ),
]


@app.command("backup")
def backup_cmd(
    *,
    inventory: InventoryOpt = None,
    limit: LimitOpt = None,
    store: StoreOpt = None,
    workers: WorkersOpt = DEFAULT_WORKERS,
    as_json: JsonOpt = False,
) -> None:
    """Back up running configurations (normalised, secrets redacted) into the git store: one commit.

    Never asks anything (schedulable). Exit 0: every device backed up · 1: a device failed
    (the others are still stored) · 2: no device matched, or bad input."""
    out = stdout_console()
    devices = _devices(inventory, limit)
    backup_store = _store(store)
    if as_json:
        run = operations.backup(devices, backup_store, workers=workers)
    else:
        with out.status(f"backing up {len(devices)} device(s)…"):
            run = operations.backup(devices, backup_store, workers=workers)
    data = netviews.backup_run_data(run, backup_store)
    if as_json:
        netviews.print_json(data)
    else:
        netviews.print_backup_run(out, data)
    raise typer.Exit(1 if run.failed else 0)


@app.command("backups")
def backups_cmd(
    device: Annotated[str, typer.Argument(help="Device name.")],
    store: StoreOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the backups that changed a device's configuration, newest first: commit id, date, @N.

    The listing is "as of" the store's newest commit: commit ids and dates name a backup for
    good; @N only together with --as-of COMMIT (printed above the listing)."""
    backup_store = _store(store)
    anchor = backup_store.anchor(device, as_of) if as_of else backup_store.head()
    entries = backup_store.history(device, as_of=anchor or None)
    if not entries:
        raise UsageError(f"{device}: no backup stored.", hint=f"opsbook net backup --limit {device}")
    data = netviews.backups_data(device, backup_store, anchor, entries)
    if as_json:
        netviews.print_json(data)
    else:
        netviews.print_backups(stdout_console(), data)


app.command("history", hidden=True, help="Same as `opsbook net backups`.")(backups_cmd)


@app.command("diff")
def diff_cmd(
    device: Annotated[str, typer.Argument(help="Device name.")],
    a: Annotated[
        str | None,
        typer.Argument(help="Older backup: commit id, date, or @N with --as-of (default: the previous)."),
    ] = None,
    b: Annotated[
        str | None,
        typer.Argument(help="Newer backup: commit id, date, or @N with --as-of (default: the latest)."),
    ] = None,
    store: StoreOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Show what changed in a device's configuration between two backups."""
    text = _store(store).diff(device, a, b, as_of=as_of)
    if not text.strip():
        typer.echo(f"{device}: no difference")
        return
    typer.echo(text, nl=False)


@app.command("render")
def render_cmd(
    *,
    inventory: InventoryOpt = None,
    limit: LimitOpt = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Write DEVICE.cfg files here instead of printing.", file_okay=False),
    ] = None,
    show_secrets: Annotated[
        bool, typer.Option("--show-secrets", help="Keep secrets in the output (default: redacted).")
    ] = False,
) -> None:
    """Render the intended configuration of each device from templates and inventory variables."""
    for device in _devices(inventory, limit):
        intended = render_device(device.name, device.platform, device.vars)
        text = intended.text if show_secrets else redact(intended.text, device.platform)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / f"{device.name}.cfg"
            target.write_text(text, encoding="utf-8")
            if show_secrets:
                target.chmod(0o600)
            typer.echo(f"{target}  ({', '.join(intended.features)})")
        else:
            typer.echo(f"# {device.name} ({device.platform}): {', '.join(intended.features)}")
            typer.echo(text)


print_compliance = netviews.print_compliance


@app.command("compliance")
def compliance_cmd(
    *,
    inventory: InventoryOpt = None,
    limit: LimitOpt = None,
    output_format: Annotated[
        Format,
        typer.Option("--format", case_sensitive=False, help="table (with missing/extra lines) or json."),
    ] = Format.table,
    backup: Annotated[
        bool, typer.Option("--backup/--no-backup", help="Also store the fetched configs in the backup store.")
    ] = False,
    store: StoreOpt = None,
    workers: WorkersOpt = DEFAULT_WORKERS,
    as_json: JsonOpt = False,
) -> None:
    """Compare each device with its intended configuration, feature by feature.

    + lines are missing on the device, - lines are on the device but not intended.
    Exit 0: all compliant · 2: drift found · 1: a device could not be reached or checked.
    """
    devices = _devices(inventory, limit)
    out = stdout_console()
    backup_store = _store(store) if backup else None
    if as_json or output_format is Format.json:
        run = operations.compliance(devices, workers=workers, store=backup_store)
        netviews.print_json([r.to_dict() for r in run.results])
    else:
        with out.status(f"checking {len(devices)} device(s)…"):
            run = operations.compliance(devices, workers=workers, store=backup_store)
        print_compliance(run.results, out)
        out.print(netviews.compliance_counts(run.results), soft_wrap=True)
    raise typer.Exit(run.exit_code)


def _print_lines(out: Console, title: str, lines: list[str]) -> None:
    out.print(f"  [bold]{title}[/]")
    for line in lines:
        out.print(f"    {line}", markup=False)


@app.command("remediate")
def remediate_cmd(
    *,
    inventory: InventoryOpt = None,
    limit: LimitOpt = None,
    workers: WorkersOpt = DEFAULT_WORKERS,
) -> None:
    """Show the commands that would bring each device to its intended configuration, and their rollback.

    Nothing is changed; `opsbook net push` applies them."""
    out = _console()
    devices = _devices(inventory, limit)
    rendered = operations.render_all(devices)
    outcomes = operations.fetch_running(devices, workers=workers)
    code = 0
    for outcome in outcomes:
        device = outcome.device
        intended = rendered[device.name]
        if not outcome.ok or outcome.value is None or isinstance(intended, Exception):
            out.print(f"[red]{device.name}: {_error_text(outcome) or intended}[/]")
            code = 1
            continue
        p = plan(device.name, device.platform, outcome.value, intended.features)
        if p.empty:
            out.print(f"[green]{device.name}: compliant, nothing to do[/]")
            continue
        code = max(code, 2)
        out.print(f"[bold]{device.name}[/] ({device.platform}) — features: {', '.join(p.features)}")
        _print_lines(out, "remediation", p.redacted_commands())
        _print_lines(out, "rollback", p.redacted_rollback())
    raise typer.Exit(code)


# --------------------------------------------------------------------------------------------
# push / restore
# --------------------------------------------------------------------------------------------


def _show_prepared(out: Console, prepared: list[Prepared]) -> None:
    for item in prepared:
        r = item.result
        head = f"[bold]{r.device}[/] ({r.platform}): {r.status.value}"
        if r.features:
            head += f" — features: {', '.join(r.features)}"
        out.print(head)
        if r.error:
            out.print(f"  [red]{r.error}[/]")
        if r.commands:
            _print_lines(out, "commands", r.commands)
        if r.management:
            _print_lines(out, "touching management", r.management)
        if r.unrestorable:
            _print_lines(out, "cannot restore (redacted secrets no longer on the device)", r.unrestorable)


def _confirm(out: Console, count: int, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(
            "Refusing to change devices without confirmation: no terminal to ask on.",
            hint="review with --check, then re-run with --yes",
        )
    answer: str = typer.prompt(f"Apply to {count} device(s)? Type 'yes' to proceed", default="no")
    return answer.strip().lower() == "yes"


_PUSH_EXIT = {
    PushStatus.UNCHANGED: 0,
    PushStatus.PLANNED: 0,
    PushStatus.APPLIED: 0,
    PushStatus.DECLINED: 2,
    PushStatus.REFUSED: 2,
    PushStatus.ROLLED_BACK: 2,
    PushStatus.FAILED: 1,
}


def _record(results: list[PushResult], kind: str) -> Path:
    paths = project_paths()
    from opsbook.base.ids import new_run_id  # noqa: PLC0415 - only needed when recording

    run_id = new_run_id()
    folder = paths.runs / run_id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"net-{kind}.json"
    target.write_text(json.dumps([r.to_dict() for r in results], indent=2) + "\n", encoding="utf-8")
    return target


def _run_push(
    out: Console,
    prepared_items: list[Prepared],
    *,
    backup_store: BackupStore,
    check: bool,
    yes: bool,
    options: PushOptions,
    workers: int,
    kind: str,
) -> None:
    _show_prepared(out, prepared_items)
    actionable = [p for p in prepared_items if p.actionable]
    results = [p.result for p in prepared_items]
    if check or not actionable:
        out.print("check only: nothing applied" if check else "nothing to apply")
        raise typer.Exit(max((_PUSH_EXIT[r.status] for r in results), default=0))
    if not _confirm(out, len(actionable), yes):
        for p in actionable:
            p.result.status = PushStatus.DECLINED
        out.print("declined: nothing applied")
        raise typer.Exit(2)
    connector = netmiko_connector()
    with out.status(f"applying to {len(actionable)} device(s)…"):
        outcomes = run_many(
            [p.device for p in actionable],
            lambda d: apply(
                next(p for p in actionable if p.device.name == d.name),
                store=backup_store,
                connector=connector,
                options=options,
            ),
            workers=workers,
        )
    for outcome in outcomes:
        if outcome.error is not None:
            prepared = next(p for p in actionable if p.device.name == outcome.device.name)
            prepared.result.status = PushStatus.FAILED
            prepared.result.error = outcome.error.message
    table = Table("device", "result", "steps / error")
    for r in results:
        detail = "\n".join(r.steps[-4:]) + (f"\n[red]{r.error}[/]" if r.error else "")
        table.add_row(r.device, r.status.value, detail)
    out.print(table)
    out.print(f"record: {_record(results, kind)}")
    raise typer.Exit(max(_PUSH_EXIT[r.status] for r in results))


def _prepare_all(devices: list[NetDevice], job: Any, workers: int, out: Console) -> list[Prepared]:
    outcomes: list[Outcome[Prepared]] = run_many(devices, job, workers=workers)
    prepared: list[Prepared] = []
    failed = False
    for outcome in outcomes:
        if outcome.value is not None:
            prepared.append(outcome.value)
        else:
            failed = True
            out.print(f"[red]{outcome.device.name}: {_error_text(outcome)}[/]")
    if failed and not prepared:
        raise typer.Exit(1)
    return prepared


@app.command("push")
def push_cmd(
    *,
    limit: Annotated[
        str, typer.Option("--limit", "-l", help="Devices to change (required; ansible pattern).")
    ],
    inventory: InventoryOpt = None,
    check: Annotated[
        bool, typer.Option("--check", help="Back up and show the plan; change nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    allow_mgmt: Annotated[
        bool,
        typer.Option("--allow-mgmt", help="Allow changes to the management interface or management ACL."),
    ] = False,
    revert_minutes: Annotated[
        int,
        typer.Option(
            "--revert-minutes", min=1, max=120, help="IOS revert timer while the change is checked."
        ),
    ] = DEFAULT_REVERT_MINUTES,
    store: StoreOpt = None,
    workers: WorkersOpt = 10,
) -> None:
    """Safely push the intended configuration to devices, or roll back.

    backup → plan → confirm → apply (IOS under a revert timer) → post-checks (reachable,
    compliant, net_post_checks) → confirm and save, or roll back to the backup.

    Refuses changes to the management interface / ACL (net_mgmt_interface, net_mgmt_acl) unless
    --allow-mgmt. Exit 0: applied or nothing to do · 2: refused, declined or rolled back · 1: failed.
    """
    out = _console()
    devices = _devices(inventory, limit)
    backup_store = _store(store)
    connector = netmiko_connector()
    rendered = {d.name: render_device(d.name, d.platform, d.vars) for d in devices}
    with out.status(f"backing up and planning {len(devices)} device(s)…"):
        prepared = _prepare_all(
            devices,
            lambda d: prepare(
                d, rendered[d.name], store=backup_store, connector=connector, allow_mgmt=allow_mgmt
            ),
            workers,
            out,
        )
    options = PushOptions(allow_mgmt=allow_mgmt, revert_minutes=revert_minutes)
    _run_push(
        out,
        prepared,
        backup_store=backup_store,
        check=check,
        yes=yes,
        options=options,
        workers=workers,
        kind="push",
    )


@app.command("restore")
def restore_cmd(
    device: Annotated[str, typer.Argument(help="Device to restore.")],
    backup_ref: Annotated[
        str, typer.Argument(help="Backup to restore: commit id or @N (default @1, the latest).")
    ] = "@1",
    *,
    inventory: InventoryOpt = None,
    check: Annotated[bool, typer.Option("--check", help="Show the plan; change nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    allow_mgmt: Annotated[
        bool,
        typer.Option("--allow-mgmt", help="Allow changes to the management interface or management ACL."),
    ] = False,
    revert_minutes: Annotated[
        int,
        typer.Option(
            "--revert-minutes", min=1, max=120, help="IOS revert timer while the change is checked."
        ),
    ] = DEFAULT_REVERT_MINUTES,
    store: StoreOpt = None,
) -> None:
    """Restore a device to a stored backup, with the same safety as push.

    Redacted secrets are kept as they are on the device. `opsbook net history DEVICE` lists backups."""
    out = _console()
    devices = _devices(inventory, device)
    backup_store = _store(store)
    connector = netmiko_connector()
    prepared = [
        prepare_restore(d, store=backup_store, connector=connector, ref=backup_ref, allow_mgmt=allow_mgmt)
        for d in devices
    ]
    options = PushOptions(allow_mgmt=allow_mgmt, revert_minutes=revert_minutes)
    _run_push(
        out,
        prepared,
        backup_store=backup_store,
        check=check,
        yes=yes,
        options=options,
        workers=1,
        kind="restore",
    )


# --------------------------------------------------------------------------------------------


@app.command("facts")
def facts_cmd(
    *,
    inventory: InventoryOpt = None,
    limit: LimitOpt = None,
    output_format: Annotated[Format, typer.Option("--format", case_sensitive=False)] = Format.table,
    workers: WorkersOpt = DEFAULT_WORKERS,
    as_json: JsonOpt = False,
) -> None:
    """Vendor, model, serial and version of each device (show version / display version)."""
    devices = _devices(inventory, limit)
    outcomes = device_facts(devices, workers=workers)
    if as_json or output_format is Format.json:
        netviews.print_json(netviews.facts_data(outcomes))
    else:
        netviews.print_facts(stdout_console(), outcomes)
    raise typer.Exit(0 if all(o.ok for o in outcomes) else 1)


@app.command("derive")
def derive_cmd(
    *,
    inventory: InventoryOpt = None,
    limit: LimitOpt = None,
    show_secrets: Annotated[
        bool, typer.Option("--show-secrets", help="Print the device's encoded secrets (default: redacted).")
    ] = False,
    workers: WorkersOpt = DEFAULT_WORKERS,
) -> None:
    """Print the net_* variables that describe each device's current configuration (onboarding).

    Paste them into host_vars and the device is compliant."""
    devices = _devices(inventory, limit)
    outcomes = operations.fetch_running(devices, workers=workers)
    code = 0
    for outcome in outcomes:
        if not outcome.ok or outcome.value is None:
            typer.echo(f"# {outcome.device.name}: {_error_text(outcome)}", err=True)
            code = 1
            continue
        text = outcome.value if show_secrets else redact(outcome.value, outcome.device.platform)
        data = derive_vars(text, outcome.device.platform)
        typer.echo(f"# host_vars/{outcome.device.name}.yml")
        typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200))
    raise typer.Exit(code)
