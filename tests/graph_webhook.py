"""The API served over real HTTPS on a free port, so the Graph fake can validate and call it."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app import create_app
from sandbox.salesforce.server import TlsServer


@contextmanager
def public_api(config, fake) -> Iterator[object]:
    """A second app on ``config`` whose SYNCLINE_PUBLIC_URL is where it listens; yields its runtime.
    The fake trusts the server's CA and forgets its subscriptions afterwards."""
    holder: dict = {}
    server = TlsServer(lambda environ, start: holder["app"](environ, start))
    app = create_app(config.with_overrides(public_url=f"https://127.0.0.1:{server.port}"))
    holder["app"] = app
    server.start()
    fake.store.push.ca_file = server.ca_path
    try:
        yield app.extensions["syncline"]
    finally:
        fake.store.push.subscriptions.clear()
        server.stop()
        app.extensions["syncline"].db.dispose()
