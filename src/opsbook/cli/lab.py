"""`opsbook lab` — build, start, inspect and remove the embedded lab."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from types import FrameType

import typer
from rich.console import Console
from rich.table import Table

from opsbook import context as customer_context
from opsbook import lab
from opsbook.lab.molecule import molecule_vars
from opsbook.lab.podman import export_lines, podman_vars
from opsbook.paths import find_project_root, project_paths

app = typer.Typer(
    help=(
        "The embedded lab: Linux hosts (podman containers booting systemd, SSH on 127.0.0.1) and "
        "simulated network devices (Cisco IOS / Huawei VRP style, SSH on 127.0.0.1), with a generated "
        "Ansible inventory. A lab has a name (--name, else $OPSBOOK_LAB, else the customer context when "
        "it is a lab, else 'opsbook'); a lab is a customer context of its own (docs/context.md)."
    ),
    no_args_is_help=True,
)

NAME_HELP = (
    "Lab name (default: $OPSBOOK_LAB, else the context's lab, else 'opsbook'). "
    "The default lab writes inventory/lab/."
)


def _name(name: str | None) -> str:
    """--name, else $OPSBOOK_LAB, else the customer context when it is a lab, else the default lab."""
    if name or os.environ.get("OPSBOOK_LAB"):
        return lab.resolve_name(name)
    try:
        current = customer_context.current(find_project_root())
    except customer_context.ContextError:
        return lab.resolve_name(None)
    return current.name if current.kind == "lab" else lab.resolve_name(None)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _shown(path: Path) -> str:
    """A path as the user types it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


@app.command("up")
def up(
    *,
    hosts: int = typer.Option(lab.DEFAULT_HOSTS, "--hosts", "-n", help="Number of Linux hosts (0-40)."),
    devices: int = typer.Option(
        lab.DEFAULT_DEVICES,
        "--devices",
        "-d",
        help="Number of network devices (0-40), alternating IOS switch / VRP router.",
    ),
    name: str | None = typer.Option(None, "--name", help=NAME_HELP),
    ssh_port_base: int = typer.Option(
        lab.DEFAULT_SSH_PORT_BASE, "--ssh-port-base", help="SSH port of the first host on 127.0.0.1."
    ),
    device_port_base: int = typer.Option(
        lab.DEFAULT_DEVICE_PORT_BASE, "--device-port-base", help="SSH port of the first device on 127.0.0.1."
    ),
    use: bool = typer.Option(
        False, "--use", help="Also make this lab the remembered customer context (as `opsbook use NAME`)."
    ),
) -> None:
    """Build the image if needed, start hosts and devices, write the inventory.

    Every port is checked before anything starts; if anything fails midway, what was started is
    removed again. On a lab already up with the same shape this is a quick no-op; with a different
    shape it stops and asks you to run `opsbook lab down` first.
    """
    console = _console()
    paths = project_paths()
    previous = signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM cleans up like Ctrl-C
    try:
        result = lab.up(
            _name(name),
            hosts=hosts,
            devices=devices,
            ssh_port_base=ssh_port_base,
            device_port_base=device_port_base,
            paths=paths,
            log=console.print,
        )
    except KeyboardInterrupt:
        console.print("[bold red]interrupted[/]: what this `lab up` had started has been removed")
        raise typer.Exit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    state = result.state
    verb = "is up" if result.created else "was already up"
    console.print(f"[bold green]lab {state.name} {verb}[/]: {state.shape.describe()}")
    inventory = _shown(result.inventory.parent)
    console.print(f"inventory:  {inventory}")
    if state.hosts:
        first = state.hosts[0].name
        console.print(f"ssh:        ssh -F {_shown(lab.ssh_config_path(paths, state.name))} {first}")
        console.print(f"ansible:    ansible -i {inventory} linux -m ansible.builtin.ping")
        overlay = _shown(lab.podman_inventory_path(paths, state.name))
        console.print(
            f"podman:     ansible -i {inventory} -i {overlay} lab_podman "
            "-m ansible.builtin.ping   (after `eval $(opsbook lab env)`)"
        )
    if use:
        chosen = customer_context.remember(paths.root, state.name)
        console.print(f"context:    {chosen.describe()} (remembered; `opsbook use --clear` forgets it)")
    else:
        console.print(
            f'context:    opsbook use {state.name}   or   eval "$(opsbook lab env --name {state.name})"   '
            f"or   opsbook --customer {state.name} …"
        )


@app.command("status")
def status(name: str | None = typer.Option(None, "--name", help=NAME_HELP)) -> None:
    """Show the lab's hosts and devices and whether each is up (exit 1 unless all are)."""
    console = _console()
    current = lab.status(_name(name), paths=project_paths())
    if current is None:
        console.print(f"lab {_name(name)} is not up (start it: opsbook lab up)")
        raise typer.Exit(1)
    state = current.state
    hosts = Table(title=f"lab {state.name}: hosts", title_justify="left")
    for column in ("host", "container id", "ssh port", "state"):
        hosts.add_column(column)
    for host in state.hosts:
        running = current.host_states.get(host.name, "missing")
        colour = "green" if running == "running" else "red"
        hosts.add_row(host.name, host.container_id[:12], str(host.ssh_port), f"[{colour}]{running}[/]")
    devices = Table(title=f"lab {state.name}: devices (pid {state.device_pid})", title_justify="left")
    for column in ("device", "platform", "port", "up"):
        devices.add_column(column)
    for device in state.devices:
        is_up = current.device_up.get(device.name, False)
        devices.add_row(
            device.name, device.platform, str(device.port), "[green]yes[/]" if is_up else "[red]no[/]"
        )
    if state.hosts:
        console.print(hosts)
    if state.devices:
        console.print(devices)
    console.print(f"inventory: {state.inventory_dir}")
    if not current.healthy:
        console.print(
            "[bold red]the lab is not fully up[/]: `opsbook lab up` with the same options recreates it"
        )
        raise typer.Exit(1)


@app.command("down")
def down(name: str | None = typer.Option(None, "--name", help=NAME_HELP)) -> None:
    """Remove the lab's containers (by id), device process, inventory and state. Safe to repeat."""
    console = _console()
    paths = project_paths()
    state = lab.down(_name(name), paths=paths, log=console.print)
    if state is None:
        console.print(f"lab {_name(name)} was not up: nothing to remove")
    else:
        console.print(f"[bold]lab {state.name} removed[/]")
        try:
            remembered = customer_context.remembered(paths.root)
        except customer_context.ContextError:
            remembered = None
        if remembered == state.name:
            customer_context.forget(paths.root)
            console.print(f"the remembered context was lab {state.name}: forgotten (opsbook use NAME)")


@app.command("env")
def env(
    name: str | None = typer.Option(
        None, "--name", help="Also point the shell's customer context at this lab (export OPSBOOK_LAB)."
    ),
    molecule: bool = typer.Option(
        False,
        "--molecule",
        help="Also OPSBOOK_LAB_IMAGE (building the lab image if it is missing) and OPSBOOK_APT_CACHE, "
        "for `molecule test` in a role's folder.",
    ),
) -> None:
    """Print `export` lines for podman's configuration: eval "$(opsbook lab env)".

    Every shell (or tool such as molecule) that calls podman or ansible against the lab needs them.
    With --name (or $OPSBOOK_LAB set) also OPSBOOK_LAB: every opsbook command of the shell then
    works on that lab (docs/context.md).
    """
    paths = project_paths()
    variables = podman_vars(paths)
    if molecule:
        stderr = Console(stderr=True, highlight=False)
        variables |= molecule_vars(paths, {**os.environ, **variables}, log=stderr.print)
    if name or os.environ.get("OPSBOOK_LAB"):
        variables["OPSBOOK_LAB"] = lab.resolve_name(name)
    for line in export_lines(variables):
        typer.echo(line)
