"""Run mypy with the project's configuration and count its errors per file."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "mypy-baseline.json"
_ERROR = re.compile(r"^(?P<file>[^:\s]+\.py):\d+: error:")


def errors_per_file() -> tuple[Counter[str], str]:
    """(errors per file, mypy's full output) for the files pyproject.toml names."""
    run = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty"],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    if run.returncode not in (0, 1):
        raise RuntimeError(f"mypy could not run: {run.stderr or run.stdout}")
    counts = Counter(m["file"] for m in map(_ERROR.match, run.stdout.splitlines()) if m)
    return counts, run.stdout


def read_baseline() -> dict[str, int]:
    return json.loads(BASELINE.read_text())


def write_baseline() -> None:
    """`python -m tests.architecture.mypy_baseline` after fixing errors: the baseline shrinks."""
    counts, _ = errors_per_file()
    BASELINE.write_text(json.dumps(dict(sorted(counts.items())), indent=1) + "\n")
    print(f"mypy baseline: {sum(counts.values())} errors in {len(counts)} files")


if __name__ == "__main__":
    write_baseline()
