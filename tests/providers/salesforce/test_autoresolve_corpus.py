"""Autoresolve on its labelled corpus, through the session wrappers, the real adapter and the
HTTPS emulator, as one session per mode: what it creates is right (issue 15's ≥ 0.98), it finds
most of whom a reader expects, and the batched look-up keeps Salesforce calls per item low."""
from __future__ import annotations

import pytest

from app.providers.salesforce.crm_port import SalesforceCrmPort
from tests.autoresolve_corpus import ITEMS
from tests.autoresolve_corpus.scoring import score_mode


@pytest.mark.parametrize("mode", ["leads", "contacts"])
def test_the_corpus_autoresolves_precisely_in_one_session(world, mode):
    assert len(ITEMS) >= 200 and {i.kind for i in ITEMS} == {"email", "meeting"}
    scores = score_mode(world.emu, world.org, SalesforceCrmPort(world.client(), world.user), mode, ITEMS)
    assert scores.precision >= 0.98, scores.misses
    assert scores.recall >= 0.9, scores.misses
    assert scores.calls / len(ITEMS) <= 0.2
