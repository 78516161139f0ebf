"""Errors a user can act on. The CLI prints them without a traceback and exits with ``exit_code``."""

from __future__ import annotations


class OpsbookError(Exception):
    """A problem the operator can fix: the message says what is wrong and what to do."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.hint}" if self.hint else self.message


class UsageError(OpsbookError):
    """Bad input from the command line or a file; nothing was touched."""

    exit_code = 2
