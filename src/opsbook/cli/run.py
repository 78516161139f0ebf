"""`opsbook run` — placeholder, replaced by the runner implementation."""


def run() -> None:
    """Run any playbook through ansible-runner."""
