"""The Graph fake served over loopback HTTPS."""
from __future__ import annotations

from typing import Any

from sandbox.graph.app import create_app
from sandbox.graph.store import GraphStore
from sandbox.loopback import LoopbackFake


class GraphFake(LoopbackFake):
    """One fake tenant: Entra ID token endpoint and Graph v1.0 on the same loopback host."""

    def __init__(self, cert_dir: str | None = None) -> None:
        super().__init__(cert_dir)
        self.store = GraphStore()

    def create_app(self) -> Any:
        return create_app(self.store)

    @property
    def authority_url(self) -> str:
        return self.base_url

    @property
    def graph_url(self) -> str:
        return self.base_url + "/v1.0"
