"""The Salesforce emulator's state file: saves from several threads (the background saver and
seeding's explicit save) never race each other's temp file."""
from __future__ import annotations

import threading

from sandbox.salesforce import SalesforceEmulator
from sandbox.salesforce.persistence import STATE_FILE, load, save


def test_concurrent_saves_all_succeed_and_leave_one_loadable_file(tmp_path):
    emu = SalesforceEmulator()
    errors: list[BaseException] = []

    def saves() -> None:
        try:
            for _ in range(30):
                save(emu, str(tmp_path))
        except BaseException as exc:   # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=saves) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [p.name for p in tmp_path.iterdir()] == [STATE_FILE]
    load(SalesforceEmulator(), str(tmp_path))
