#!/usr/bin/env bash
# Installs, idempotently, the real servers and the browser the test suite drives:
# Dovecot (IMAP), Cyrus's CalDAV/CardDAV server with RFC 6638 scheduling (cyrus-caldav, plus
# sasl2-bin for its password database) and Chromium, from Debian. Never cyrus-imapd: it
# conflicts with dovecot-imapd, and apt would remove Dovecot. One line per package says what happened.
# Never fails the run: without apt (or root) the tests that need a missing program skip
# with the reason. Python packages (Radicale, Xandikos, Playwright) come from
# requirements-dev.txt; never run `playwright install` (it downloads its own browsers).
set -u

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
fi
updated=""

# install_if_missing LABEL CHECK_PATH_OR_COMMAND DEBIAN_PACKAGE...
install_if_missing() {
    local label="$1" probe="$2"; shift 2
    if [ -x "$probe" ] || command -v "$probe" >/dev/null 2>&1; then
        echo "install-test-deps: $label already installed, nothing to do"; return
    fi
    if ! command -v apt-get >/dev/null 2>&1 || [ "$SUDO" = "none" ]; then
        echo "install-test-deps: cannot install $label here (no apt-get or no root); its tests will skip"; return
    fi
    local log; log="$(mktemp)"
    if [ -z "$updated" ]; then
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1 && updated=1
    fi
    if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1 \
       && { [ -x "$probe" ] || command -v "$probe" >/dev/null 2>&1; }; then
        echo "install-test-deps: installed $label ($*)"
    else
        echo "install-test-deps: apt-get could not install $label (see $log); its tests will skip"
    fi
}

install_if_missing dovecot dovecot dovecot-imapd
install_if_missing cyrus-caldav /usr/lib/cyrus/bin/httpd cyrus-caldav
install_if_missing sasl2-bin saslpasswd2 sasl2-bin
install_if_missing chromium /usr/lib/chromium/chromium chromium fonts-dejavu-core
exit 0
