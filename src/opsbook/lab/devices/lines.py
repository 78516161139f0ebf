"""Input bytes to command lines, the way a terminal line discipline does it.

``\\r``, ``\\n`` and ``\\r\\n`` each end a line (also across reads); backspace/DEL erase,
Ctrl-C drops the line being typed, Ctrl-Z is passed on as its own line (``\\x1a``: "end").
"""

from __future__ import annotations

CTRL_Z = "\x1a"


class LineReader:
    def __init__(self) -> None:
        self._buffer: list[str] = []
        self._after_cr = False

    def feed(self, data: str) -> list[str]:
        lines: list[str] = []
        for char in data:
            if self._after_cr:
                self._after_cr = False
                if char == "\n":
                    continue
            if char in "\r\n":
                lines.append("".join(self._buffer))
                self._buffer.clear()
                self._after_cr = char == "\r"
            elif char in "\x08\x7f":
                if self._buffer:
                    self._buffer.pop()
            elif char == "\x03":
                self._buffer.clear()
            elif char == CTRL_Z:
                self._buffer.clear()
                lines.append(CTRL_Z)
            elif char == "\x00":
                continue
            else:
                self._buffer.append(char)
        return lines
