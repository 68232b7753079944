"""Scores the extractor against the labelled corpus: per-sample differences, per-field precision/recall.

Scalar fields count one hit when equal to the label; list fields (phones as (number, kind),
address lines) count per element. A value that is read but wrong is a false positive AND a miss.
"""
from __future__ import annotations

from collections import Counter

from app.sync.signature import SenderHint, Signature, extract_signature
from tests.signature_corpus.sample import FIELDS, Sample


def read(sample: Sample) -> dict:
    """What the extractor reads out of the sample, in the corpus's shape."""
    hint = SenderHint(*sample.sender)
    text, html = ("", sample.body) if sample.html else (sample.body, "")
    return as_fields(extract_signature(text, html, hint))


def as_fields(signature: Signature | None) -> dict:
    if signature is None:
        return {name: ([] if name in ("phones", "address") else None) for name in FIELDS}
    return {"name": signature.full_name, "title": signature.title, "company": signature.company,
            "email": signature.email, "website": signature.website,
            "phones": [(p.number, p.kind) for p in signature.phones], "address": list(signature.address)}


def differences(sample: Sample) -> dict:
    """{field: (expected, read)} for every field the extractor got wrong."""
    got = read(sample)
    return {name: (sample.expected(name), got[name]) for name in FIELDS if sample.expected(name) != got[name]}


def field_counts(samples: list[Sample]) -> dict[str, Counter[str]]:
    """Per field: true positives, false positives, false negatives over the samples."""
    counts = {name: Counter[str]() for name in FIELDS}
    for sample in samples:
        got = read(sample)
        for name in FIELDS:
            wanted, found = sample.expected(name), got[name]
            wanted_set = set(wanted) if isinstance(wanted, list) else {wanted} - {None}
            found_set = set(found) if isinstance(found, list) else {found} - {None}
            counts[name]["tp"] += len(wanted_set & found_set)
            counts[name]["fp"] += len(found_set - wanted_set)
            counts[name]["fn"] += len(wanted_set - found_set)
    return counts


def precision_recall(count: Counter[str]) -> tuple[float, float]:
    tp, fp, fn = count["tp"], count["fp"], count["fn"]
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)
