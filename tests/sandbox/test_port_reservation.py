"""The sandbox never hands one of its servers the port `syncline up` keeps for the API.

The API child binds its port only after the sandbox servers have started; before the reservation a
server could be given that very port (a flake of `test_up_twice`, and a real `up` that fails to bind).
"""
from __future__ import annotations

import socket

from sandbox.mailservers import process
from sandbox.mailservers.process import free_port, reserve_port, reusable_port


def test_a_reserved_port_is_never_reused_even_when_saved_from_an_earlier_run(monkeypatch):
    monkeypatch.setattr(process, "_RESERVED", set())
    api_port = free_port()
    assert reusable_port(api_port) == api_port          # free and not reserved: kept across restarts
    reserve_port(api_port)
    assert reusable_port(api_port) != api_port


def test_free_port_skips_a_reserved_port_the_kernel_hands_out(monkeypatch):
    monkeypatch.setattr(process, "_RESERVED", set())
    handed = iter([41001, 41001, 41002])

    class Socket(socket.socket):
        def getsockname(self):
            return ("127.0.0.1", next(handed))

    monkeypatch.setattr(process.socket, "socket", Socket)
    reserve_port(41001)
    assert free_port() == 41002
