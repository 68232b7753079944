"""CPU cost of reading a CalDAV mailbox, without servers: parsing meetings (``read_event``, the
largest share of an import's CPU) and a sync-collection listing (``parse_listing``).

Run `python bench/read_costs.py`. Each figure is the best of ``--repeats`` runs in process CPU
time, so it moves with the code, not with a noisy machine's load (the import's own figure,
`bench/initial_import.py`, is wall time across Radicale, the emulator and the session). Prints
`metric: value` lines: `ical_read_ms_per_1000` (meetings with 0-2 attendees, as the import bench
seeds them), `listing_parse_ms_per_1000` (members with href, etag and 200 status).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.providers.imap_dav.ical_event import read_event  # noqa: E402
from app.providers.imap_dav.webdav import parse_listing  # noqa: E402
from bench.initial_import import meeting_vevent  # noqa: E402


def best_cpu_seconds(work: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(max(repeats, 1)):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def calendars(items: int) -> list[str]:
    return ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n" + meeting_vevent(n, n % 3)
            + "END:VCALENDAR\r\n" for n in range(items)]


def listing(items: int) -> bytes:
    members = "".join(
        f"<d:response><d:href>/bench/calendar/bench-{n}%40syncline.test.ics</d:href><d:propstat><d:prop>"
        f'<d:getetag>"{n:032x}"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>'
        for n in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:">{members}'
            "<d:sync-token>http://bench.test/sync/1</d:sync-token></d:multistatus>").encode()


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=5000, help="meetings parsed and listing members read")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each; the best counts")
    args = parser.parse_args(argv)
    items = max(args.items, 1)
    data, answer = calendars(items), listing(items)

    def read_all() -> None:
        for n, text in enumerate(data):
            if read_event(f"/bench/calendar/{n}.ics", f'"{n}"', text) is None:
                raise SystemExit(f"meeting {n} did not parse")

    def list_all() -> None:
        if len(parse_listing(answer).members) != items:
            raise SystemExit("the listing lost members")

    lines = [f"ical_read_ms_per_1000: {1000 * 1000 * best_cpu_seconds(read_all, args.repeats) / items:.1f}",
             f"listing_parse_ms_per_1000: {1000 * 1000 * best_cpu_seconds(list_all, args.repeats) / items:.2f}"]
    for line in lines:
        print(line, flush=True)
    return lines


if __name__ == "__main__":
    main()
