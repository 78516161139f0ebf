"""`opsbook health` — placeholder, replaced by the inspection implementation."""


def health() -> None:
    """Periodic inspection of hosts and devices."""
