"""`python -m sandbox.salesforce --port N --state-dir DIR`: run the emulator standalone.

Prints the base URL, CA path and (on first run) a ready-made org, user and tokens.
"""
from __future__ import annotations

import argparse
import json
import signal
import threading

from .emulator import SalesforceEmulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.salesforce")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state-dir", default=None, help="persist JSON state and the CA here")
    parser.add_argument("--org-name", default="Sandbox Org")
    parser.add_argument("--email", default="admin@sandbox.test")
    parser.add_argument("--daily-api-max", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args(argv)
    emu = SalesforceEmulator(state_dir=args.state_dir)
    emu.faults.latency_ms = args.latency_ms
    if not emu.orgs:
        org = emu.create_org(args.org_name, daily_api_max=args.daily_api_max)
        emu.create_user(org, args.email, admin=True)
    emu.start(args.host, args.port)
    org_id, user_id = emu.login_user()
    print(json.dumps({"base_url": emu.base_url, "ca_path": emu.ca_path, "org_id": org_id,
                      "user_id": user_id, "tokens": emu.issue_tokens(org_id, user_id)}),
          flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    emu.stop()


if __name__ == "__main__":
    main()
