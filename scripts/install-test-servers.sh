#!/usr/bin/env bash
# Installs the real mail server the IMAP integration tests start (Dovecot), idempotently.
# Prints one line saying what it did. Never fails the run: without apt (or root) the
# Dovecot tests skip with a clear reason instead. Radicale/Xandikos come from PyPI
# (requirements-dev.txt), so nothing else is needed here.
set -u

if command -v dovecot >/dev/null 2>&1; then
    echo "install-test-servers: dovecot already installed ($(dovecot --version 2>/dev/null | cut -d' ' -f1)), nothing to do"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-servers: apt-get unavailable, dovecot not installed (IMAP tests will skip)"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install-test-servers: not root and no passwordless sudo, dovecot not installed (IMAP tests will skip)"
        exit 0
    fi
fi
log="$(mktemp)"
if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1 \
   && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dovecot-imapd >>"$log" 2>&1 \
   && command -v dovecot >/dev/null 2>&1; then
    echo "install-test-servers: installed dovecot-imapd ($(dovecot --version 2>/dev/null | cut -d' ' -f1))"
else
    echo "install-test-servers: apt-get could not install dovecot-imapd (see $log); IMAP tests will skip"
fi
exit 0
