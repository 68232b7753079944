"""The build enforces the architecture: import contracts, lint, and types that only get better."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.architecture.mypy_baseline import ROOT, errors_per_file, read_baseline


def _tool(name: str, *argv: str) -> subprocess.CompletedProcess:
    """A console script installed beside this interpreter (requirements-dev.txt)."""
    script = Path(sys.executable).parent / name
    return subprocess.run([str(script), *argv], cwd=ROOT, capture_output=True, text=True, check=False)


def test_import_contracts_hold():
    """The layering in pyproject.toml ([tool.importlinter]): pure core, storage-free adapters…"""
    run = _tool("lint-imports", "--no-cache")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "broken" not in run.stdout.split("Contracts:")[-1].replace("0 broken", "")


def test_ruff_is_clean():
    run = _tool("ruff", "check", "--no-cache", ".")
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_errors_never_grow_and_the_sync_core_is_strict():
    counts, output = errors_per_file()
    baseline = read_baseline()
    grown = {f: (n, baseline.get(f, 0)) for f, n in counts.items() if n > baseline.get(f, 0)}
    assert not grown, f"new mypy errors (now, baseline) per file: {grown}\n{output}"
    assert not [f for f in counts if f.startswith("app/sync/") and f not in baseline], output
