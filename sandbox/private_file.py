"""Writing the sandbox's state files: atomically (temp file + rename, so a crash never leaves half
a file) and readable only by this user (they hold tokens and secrets)."""
from __future__ import annotations

import os
import threading
from pathlib import Path


def write_private(path: Path, content: bytes) -> None:
    """``content`` to ``path``, mode 0600, through a temp file of this writer's own (two writers
    sharing one temp name lost the rename race)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    os.replace(tmp, path)
