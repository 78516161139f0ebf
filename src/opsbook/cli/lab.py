"""`opsbook lab` — placeholder, replaced by the lab implementation."""

import typer

app = typer.Typer(help="Build, start, inspect and remove the embedded lab.", no_args_is_help=True)
