"""The resolution ladder on the labelled corpus, through the real adapter and the HTTPS emulator:
the floors of issue 15 (precision ≥ 0.98, recall ≥ 0.9, ≤ 0.2 Salesforce calls per item)."""
from __future__ import annotations

from app.providers.salesforce.crm_port import SalesforceCrmPort
from app.services.link_rules import site_domain
from app.sync.link_ladder import LadderRules
from tests.linking_corpus import load_corpus, score_corpus, seed_corpus


def test_the_corpus_links_precisely_with_a_batched_look_up(world):
    corpus = load_corpus()
    assert len(corpus["items"]) >= 200
    ids = seed_corpus(world.emu, world.org, corpus)
    port = SalesforceCrmPort(world.client(), world.user)
    rules = LadderRules(org_domains=frozenset(corpus["org_domains"]), site_of=site_domain)
    before, misses = world.emu.api_calls(world.org), []
    scores = score_corpus(port, corpus, ids, rules, misses)
    scores.calls = world.emu.api_calls(world.org) - before
    assert scores.precision >= 0.98, misses
    assert scores.recall >= 0.9, misses
    assert scores.calls_per_item <= 0.2
