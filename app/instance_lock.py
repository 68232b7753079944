"""One `syncline up` per instance folder and per port: a second one refuses before it touches anything.

A second `up` on the same folder would re-seed the sandbox on new ports, re-point the running
instance's mailbox at them and stop the embedded Redis the first one uses. The guard is an fcntl
lock on ``<instance>/up.lock``, held by an open file for the life of the process: the kernel drops
it when the process ends, crash included, so a leftover file never blocks the next start.
"""
from __future__ import annotations

import errno
import fcntl
import os
import socket
from pathlib import Path

from app.instance_files import PRIVATE_FILE, private_umask

LOCK_FILE = "up.lock"
_held: list[int] = []  # the open lock files of this process (closing one would release its lock)


class CannotStart(RuntimeError):
    """The folder or port is taken (or unusable); the message says by what and what to do."""


def hold_instance_folder(folder: Path) -> None:
    """Lock ``folder`` for this process until it exits, or raise CannotStart naming the holder's pid."""
    with private_umask():
        folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)  # not inherited by children
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 20).decode("ascii", "replace").strip()
        os.close(fd)
        raise CannotStart(f"another `syncline up`{f' (pid {holder})' if holder.isdigit() else ''} is already "
                             f"running on the instance folder {folder}; stop it first, or give this one its own "
                             "folder with SYNCLINE_INSTANCE_DIR.") from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode("ascii"))
    _held.append(fd)


def check_port_free(host: str, port: int) -> None:
    """Raise CannotStart when ``host:port`` cannot be listened on now (bound, then released at once).

    SO_REUSEADDR as gunicorn sets it: a port in TIME_WAIT is free, one with a listener is not.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror:
        raise CannotStart(f"--host {host!r} is not a name or address of this machine.") from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CannotStart(f"port {port} on {host} is already in use (another `syncline up` or another "
                                     "program); stop that one, or choose a free port with --port.") from None
            raise CannotStart(f"cannot listen on {host}:{port} ({exc.strerror}); "
                                 "choose another --host or --port.") from None
