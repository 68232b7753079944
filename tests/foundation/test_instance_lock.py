"""The instance-folder lock of `syncline up`: refused while held, free again when the holder dies (crash included)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest

from app.instance_lock import CannotStart, check_port_free, hold_instance_folder

HOLDER = "from pathlib import Path; import sys, time; from app.instance_lock import hold_instance_folder; " \
         "hold_instance_folder(Path(sys.argv[1])); print('held', flush=True); time.sleep(120)"


def test_the_lock_is_refused_while_held_and_free_once_the_holder_is_killed(tmp_path):
    folder = tmp_path / "instance"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(CannotStart, match=rf"already running on the instance folder {folder}") as refused:
            hold_instance_folder(folder)
        assert f"(pid {holder.pid})" in str(refused.value)
    finally:
        holder.send_signal(signal.SIGKILL)  # a crash: no clean-up code runs, the kernel drops the lock
        holder.wait()
    hold_instance_folder(folder)
    assert (folder / "up.lock").read_text() == str(os.getpid())
    assert (folder / "up.lock").stat().st_mode & 0o777 == 0o600


def test_the_port_check_names_a_taken_port_and_an_address_this_machine_does_not_have():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CannotStart, match=rf"port {port} on 127.0.0.1 is already in use"):
            check_port_free("127.0.0.1", port)
    check_port_free("127.0.0.1", port)  # free again once its listener is gone
    with pytest.raises(CannotStart, match="cannot listen on 192.0.2.1"):
        check_port_free("192.0.2.1", port)  # TEST-NET-1: never an address of this machine
    with pytest.raises(CannotStart, match="is not a name or address of this machine"):
        check_port_free("no-such-host.invalid", port)
