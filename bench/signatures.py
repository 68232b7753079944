"""Signature extraction quality and speed over the labelled corpus (tests/signature_corpus).

Run `python bench/signatures.py`. Prints per-field precision and recall (how the per-field
floors in tests/unit/signature were chosen) and the time to read one body.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.signature_corpus import SAMPLES  # noqa: E402
from tests.signature_corpus.scoring import field_counts, precision_recall, read  # noqa: E402

ROUNDS = 20


def main() -> None:
    print(f"signature_samples: {len(SAMPLES)}")
    for name, count in field_counts(SAMPLES).items():
        precision, recall = precision_recall(count)
        print(f"signature_{name}_precision: {precision:.3f}")
        print(f"signature_{name}_recall: {recall:.3f}")
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for sample in SAMPLES:
            read(sample)
    print(f"signature_ms_per_body: {(time.perf_counter() - started) * 1000 / (ROUNDS * len(SAMPLES)):.3f}")


if __name__ == "__main__":
    main()
