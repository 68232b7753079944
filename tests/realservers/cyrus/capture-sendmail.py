#!/usr/bin/python3
"""A fake `sendmail -bs` for Cyrus: Cyrus runs `$sendmail -bs` and speaks SMTP over the pipe.

Each message is stored as mail-out/<time>-<pid>-<n>.eml beside this script (renamed into place,
so a reader never sees half a message), its envelope in X-Capture-Mail-From/-Rcpt-To headers.
"""
import os
import sys
import time

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mail-out")
rin, wout = sys.stdin.buffer, sys.stdout.buffer


def reply(line):
    wout.write(line.encode() + b"\r\n")
    wout.flush()


def read_data():
    lines = []
    while True:
        line = rin.readline()
        if not line or line.rstrip(b"\r\n") == b".":
            return b"".join(lines)
        lines.append(line[1:] if line.startswith(b"..") else line)


def store(mail_from, rcpts, body, n):
    name = f"{time.time():.6f}-{os.getpid()}-{n}"
    header = f"X-Capture-Mail-From: {mail_from}\r\nX-Capture-Rcpt-To: {', '.join(rcpts)}\r\n"
    tmp = os.path.join(OUT, "." + name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(header.encode() + body)
    os.rename(tmp, os.path.join(OUT, name + ".eml"))


def main():
    reply("220 localhost ESMTP capture")
    mail_from, rcpts, n = None, [], 0
    while True:
        raw = rin.readline()
        if not raw:
            return
        command = raw.decode("utf-8", "replace").rstrip("\r\n")
        verb = command.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO"):
            reply("250-localhost")
            reply("250 8BITMIME")
        elif verb == "MAIL":
            mail_from, rcpts = command[10:].strip(), []
            reply("250 OK")
        elif verb == "RCPT":
            rcpts.append(command[8:].strip())
            reply("250 OK")
        elif verb == "DATA":
            reply("354 go ahead")
            n += 1
            store(mail_from, rcpts, read_data(), n)
            reply("250 OK queued")
        elif verb in ("RSET", "NOOP"):
            reply("250 OK")
        elif verb == "QUIT":
            reply("221 bye")
            return
        else:
            reply("502 unsupported")


main()
