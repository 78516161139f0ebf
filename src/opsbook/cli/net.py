"""`opsbook net` — network devices: backup with history, intended config, compliance, remediation,
safe push and restore, facts. See docs/network.md.

Exit codes: 0 fine (compliant / applied / nothing to do); 2 drift found or a push was refused,
declined or rolled back; 1 a device could not be reached or checked, or a push failed.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console

from opsbook.cli import netviews
from opsbook.cli.change import ChangeArgs, run_runbook_change
from opsbook.cli.options import ForceOpt, InventoryOpt, JsonOpt, TicketOpt, YesOpt, limit_option
from opsbook.context import check_sources
from opsbook.errors import UsageError
from opsbook.network import operations
from opsbook.network.backup import BackupStore, default_store
from opsbook.network.connect import DEFAULT_WORKERS, Outcome
from opsbook.network.derive import derive_vars
from opsbook.network.facts import device_facts
from opsbook.network.features import parse_features
from opsbook.network.inventory import NetDevice, device_scope, load_devices
from opsbook.network.push import DEFAULT_REVERT_MINUTES
from opsbook.network.redact import redact
from opsbook.network.render import render_device
from opsbook.paths import project_paths
from opsbook.render.terminal import stdout_console

app = typer.Typer(
    help="Network devices (Cisco IOS, Huawei VRP): backup, intended config, compliance, safe push.",
    no_args_is_help=True,
)

LimitOpt = Annotated[str | None, limit_option("Only these devices or groups (ansible pattern).")]
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


def _devices(inventory: list[str] | None, limit: str | None, *, read_only: bool = False) -> list[NetDevice]:
    """The devices to work on. ``read_only`` (backup, compliance, facts, derive): a device whose
    register data has a problem is skipped and named on stderr; the others go on."""
    check_sources(inventory)  # another customer's register would fill this customer's store
    if not read_only:
        return load_devices(inventory or None, limit=limit)
    devices, scope = device_scope(inventory or None, limit=limit, read_only=True)
    for line in scope.skipped_lines():
        typer.echo(line, err=True)
    return devices


def _error_text(outcome: Outcome[Any]) -> str:
    return outcome.error.message if outcome.error is not None else ""


# --------------------------------------------------------------------------------------------


FeaturesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--features",
        help="Only these features, comma-separated (e.g. ntp,logging): "
        "the rest of a plan, such as a refused management change, stays as it is.",
    ),
]
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
    devices = _devices(inventory, limit, read_only=True)
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
    devices = _devices(inventory, limit, read_only=True)
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


@app.command("remediate")
def remediate_cmd(
    *,
    inventory: InventoryOpt = None,
    limit: LimitOpt = None,
    workers: WorkersOpt = DEFAULT_WORKERS,
    features: FeaturesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the commands that would bring each device to its intended configuration, and their rollback.

    Nothing is changed; `opsbook net push` applies them. Lines touching the management interface
    or ACL (which push refuses without --allow-mgmt) are listed apart.
    Exit 0: nothing to do · 2: commands to apply · 1: a device could not be reached or rendered."""
    chosen = parse_features(features)
    devices = _devices(inventory, limit)
    rendered = operations.render_all(devices)
    outcomes = operations.fetch_running(devices, workers=workers)
    plans = [netviews.remediation_data(o, rendered[o.device.name], chosen) for o in outcomes]
    if as_json:
        netviews.print_json(plans)
    else:
        netviews.print_remediation(_console(), plans)
    codes = [1 if p["error"] else 2 if p["commands"] else 0 for p in plans]
    raise typer.Exit(1 if 1 in codes else max(codes, default=0))


# --------------------------------------------------------------------------------------------
# push / restore: the runbooks network-push and restore-network-config, through the change flow
# --------------------------------------------------------------------------------------------

AllowMgmtOpt = Annotated[
    bool,
    typer.Option("--allow-mgmt", help="Allow changes to the management interface or management ACL."),
]
RevertOpt = Annotated[
    int,
    typer.Option("--revert-minutes", min=1, max=120, help="IOS revert timer while the change is checked."),
]


def _network_change(
    runbook: str,
    *,
    limit: str,
    params: dict[str, str],
    inventory: list[str] | None,
    store: Path | None,
    **kw: Any,
) -> None:
    if store is not None:  # the runbook's module reads the store from the environment (docs/network.md)
        os.environ["OPSBOOK_NETBACKUP"] = str(store.resolve())
    out = _console()
    outcome = run_runbook_change(out, runbook, limit=limit, params=params, inventory=inventory, **kw)
    record = outcome.record
    for host, rec in (record.hosts if record else {}).items():
        out.print(f"{host}: {rec.checks.post.get('status') or rec.status}", markup=False)
    raise typer.Exit(int(outcome.exit_code))


@app.command("push")
def push_cmd(
    *,
    limit: Annotated[str, limit_option("Devices to change (required; ansible pattern).")],
    inventory: InventoryOpt = None,
    check: Annotated[
        bool, typer.Option("--check", help="Back up and show the plan; change nothing.")
    ] = False,
    yes: YesOpt = False,
    ticket: TicketOpt = None,
    force: ForceOpt = None,
    allow_mgmt: AllowMgmtOpt = False,
    revert_minutes: RevertOpt = DEFAULT_REVERT_MINUTES,
    features: FeaturesOpt = None,
    store: StoreOpt = None,
    workers: WorkersOpt = 10,
) -> None:
    """Safely push the intended configuration to devices, or roll back (runbook network-push).

    The change flow (docs/changes.md): --ticket, maintenance window (or --force REASON), a lock
    per device, check-mode plan, consent (or --yes), then backup → apply (IOS under a revert
    timer) → post-checks (reachable, compliant, net_post_checks) → confirm and save, or roll back
    to the backup; a record in `opsbook history`.

    Refuses changes to the management interface / ACL (net_mgmt_interface, net_mgmt_acl) unless
    --allow-mgmt; --features pushes the other features alone. Exit codes as for runbooks: 0 applied
    or nothing to do · 3 refused or declined · 4 no such device · 5 failed or rolled back · 6 not verified.
    """
    params = {"allow_mgmt": str(allow_mgmt).lower(), "revert_minutes": str(revert_minutes)}
    chosen = parse_features(features)
    if chosen is not None:
        params["features"] = ",".join(chosen)
    _network_change(
        "network-push",
        limit=limit,
        params=params,
        inventory=inventory,
        store=store,
        check=check,
        change=ChangeArgs(yes=yes, ticket=ticket, force=force),
        forks=workers,
    )


@app.command("restore")
def restore_cmd(
    device: Annotated[str, typer.Argument(help="Device to restore.")],
    backup_ref: Annotated[
        str,
        typer.Argument(
            help="Backup to restore: commit id, date (2026-12-03 = that day's last), latest, "
            "or @N with --as-of (see `opsbook net backups DEVICE`)."
        ),
    ] = "latest",
    *,
    inventory: InventoryOpt = None,
    check: Annotated[bool, typer.Option("--check", help="Show the plan; change nothing.")] = False,
    yes: YesOpt = False,
    ticket: TicketOpt = None,
    force: ForceOpt = None,
    allow_mgmt: AllowMgmtOpt = False,
    revert_minutes: RevertOpt = DEFAULT_REVERT_MINUTES,
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
) -> None:
    """Restore a device to a stored backup, with the same safety as push (runbook restore-network-config).

    The same change flow as push; an emergency, so --ticket may follow later. Redacted secrets
    are kept as they are on the device. `opsbook net backups DEVICE` lists backups."""
    # the reference is resolved here, before anything else: the runbook gets the commit id
    commit = _store(store).resolve(device, backup_ref, as_of=as_of)
    _network_change(
        "restore-network-config",
        limit=device,
        params={
            "backup": commit,
            "allow_mgmt": str(allow_mgmt).lower(),
            "revert_minutes": str(revert_minutes),
        },
        inventory=inventory,
        store=store,
        check=check,
        change=ChangeArgs(yes=yes, ticket=ticket, force=force),
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
    devices = _devices(inventory, limit, read_only=True)
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
    devices = _devices(inventory, limit, read_only=True)
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
