"""Guards found in review: identifier shapes, and batch results that never shift between items."""
from __future__ import annotations

import pytest

from app.sync.apply import _results_in_batches
from app.sync.identifiers import message_id_problem
from app.sync.ports import WriteResult


@pytest.mark.parametrize("value", ["<a@b@c>", "a@@b", "<a@b>x", "<<a@b>>", "<a b@c>", "<@b>"])
def test_malformed_message_ids_are_refused(value):
    assert message_id_problem(value) is not None


@pytest.mark.parametrize("value", ["<x.y@host.example>", "x+tag=1@host.example", "<CAF=z_Q@mail.gmail.com>"])
def test_well_formed_message_ids_pass(value):
    assert message_id_problem(value) is None


def test_a_port_that_answers_short_never_shifts_later_items_results():
    """Item i always gets item i's result: a short answer fails only its own batch's tail."""
    def short_first_batch(batch):
        answered = batch[:-1] if batch[0] == "a" else batch
        return [WriteResult(True, target_id=f"id-{x}") for x in answered]

    results = _results_in_batches(["a", "b", "c", "d"], 2, short_first_batch)
    assert [r.target_id for r in results] == ["id-a", None, "id-c", "id-d"]
    assert not results[1].ok and results[1].error_code == "sync_error"
