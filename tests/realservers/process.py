"""Re-export: the server process helpers live in product code (the sandbox runs them too)."""
from sandbox.mailservers.process import ServerProcess, ServerUnavailable, free_port

__all__ = ["ServerProcess", "ServerUnavailable", "free_port"]
