"""Every labelled sample of the corpus, field by field, and the corpus-wide precision/recall floors."""
from __future__ import annotations

import pytest

from tests.signature_corpus import FIELDS, SAMPLES
from tests.signature_corpus.scoring import differences, field_counts, precision_recall

# Floors the whole corpus must clear per field (precision, recall). Precision is held higher:
# a wrong pre-fill is worse than an empty one ("never invent").
FLOORS = {"name": (0.97, 0.9), "title": (0.95, 0.85), "company": (0.95, 0.85), "email": (0.97, 0.9),
          "website": (0.95, 0.85), "phones": (0.97, 0.9), "address": (0.9, 0.8)}


def test_the_corpus_is_large_and_varied():
    assert len(SAMPLES) >= 80
    assert len({s.id for s in SAMPLES}) == len(SAMPLES)
    assert sum(s.html for s in SAMPLES) >= 15
    assert sum(not s.expect for s in SAMPLES) >= 10          # bodies with no signature at all
    assert all(set(s.expect) <= set(FIELDS) for s in SAMPLES)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])
def test_each_sample_reads_as_labelled(sample):
    assert differences(sample) == {}


def test_per_field_precision_and_recall_over_the_corpus():
    scores = {name: precision_recall(count) for name, count in field_counts(SAMPLES).items()}
    below = {name: score for name, score in scores.items()
             if score[0] < FLOORS[name][0] or score[1] < FLOORS[name][1]}
    assert not below, f"(precision, recall) under the floor: {below}"


def test_the_scoring_counts_a_wrong_value_as_both_a_false_positive_and_a_miss():
    from collections import Counter

    from tests.signature_corpus.sample import Sample
    wrong = Sample("wrong-label", "Thanks,\nSam Lee\nCFO\nGlobex Corporation", {"name": "Sam Lee", "title": "CEO",
                   "company": "Globex Corporation"})
    counts = field_counts([wrong])
    assert counts["title"] == Counter(tp=0, fp=1, fn=1)
    assert precision_recall(counts["title"]) == (0.0, 0.0)
    assert precision_recall(counts["name"]) == (1.0, 1.0)
