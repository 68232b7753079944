"""The README's shell examples run as pasted: ids come from earlier answers (shell variables), never typed in."""
from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
FENCED = re.compile(r"```(?:sh|bash|shell)?\n(.*?)```", re.DOTALL)
HARD_CODED_ID = re.compile(r"/(?:orgs|users|mailboxes|server-profiles|tokens|compose-saves|meeting-saves)/\d+\b|"
                           r"\"(?:server_profile_id|user_id|mailbox_id|org_id)\":\s*\d+")


def test_no_example_hard_codes_an_id():
    blocks = FENCED.findall(README.read_text())
    assert blocks
    found = [match.group(0) for block in blocks for match in HARD_CODED_ID.finditer(block)]
    assert not found, f"use a shell variable captured from an earlier answer instead of: {found}"
