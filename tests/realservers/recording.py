"""A real TCP server on loopback that records what it receives: a closed-port, wrong-protocol or
DNS-rebinding target for the host guard's tests."""
from __future__ import annotations

import socket
import socketserver
import threading

SSH_BANNER = b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"
HTTP_404 = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 21\r\n\r\n<h1>nginx 1.22.1</h1>"


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class RecordingServer:
    """A TCP server on ``host`` that may send ``greeting``/``reply`` and records every byte it receives."""

    def __init__(self, host: str = "127.0.0.1", greeting: bytes = b"", reply: bytes = b"",
                 wait_for_request: bool = False, imap: bool = False) -> None:
        self.received = bytearray()
        self.connections = 0
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer.connections += 1
                self.request.settimeout(2)
                if greeting:
                    self.request.sendall(greeting)
                if imap:
                    outer._serve_imap(self.request)
                    return
                try:
                    data = self.request.recv(65536)
                except OSError:
                    return
                outer.received.extend(data)
                if reply and (data or not wait_for_request):
                    self.request.sendall(reply)

        self.server = _Server((host, 0), Handler)
        self.host, self.port = host, self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _serve_imap(self, sock: socket.socket) -> None:
        """Just enough IMAP: CAPABILITY answers, every other command (LOGIN too) is OK."""
        for line in sock.makefile("rb"):
            self.received.extend(line)
            tag, _, command = line.decode().partition(" ")
            untagged = "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" if command.startswith("CAPABILITY") else ""
            sock.sendall(f"{untagged}{tag} OK done\r\n".encode())

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
