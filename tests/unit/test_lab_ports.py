"""Port checks: a taken, doubled or out-of-range port is refused by name before anything starts."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from opsbook.errors import OpsbookError
from opsbook.lab.ports import check_ports, duplicate_ports, port_is_free, taken_ports


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_listening_port_is_not_free(listening_port: int) -> None:
    assert not port_is_free(listening_port)
    assert taken_ports([listening_port]) == [listening_port]


def test_an_unused_port_is_free() -> None:
    assert port_is_free(_free_port())


def test_check_ports_names_the_taken_port(listening_port: int) -> None:
    free = _free_port()
    with pytest.raises(OpsbookError) as err:
        check_ports([free, listening_port])
    assert str(listening_port) in err.value.message
    assert str(free) not in err.value.message
    assert "already in use" in err.value.message


def test_check_ports_refuses_a_port_used_twice() -> None:
    port = _free_port()
    assert duplicate_ports([port, port + 1, port]) == [port]
    with pytest.raises(OpsbookError, match=f"{port} would be used twice"):
        check_ports([port, port])


@pytest.mark.parametrize("port", [80, 0, 70000])
def test_check_ports_refuses_ports_out_of_range(port: int) -> None:
    with pytest.raises(OpsbookError, match="out of range"):
        check_ports([port])


def test_check_ports_accepts_free_ports() -> None:
    check_ports([_free_port()])
