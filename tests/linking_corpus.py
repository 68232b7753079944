"""The labelled linking corpus (tests/data/linking/corpus.json): seeding it into the Salesforce
emulator and scoring the resolution ladder on it. Shared by its test and ``bench/linking.py``.

Each item names its expected Who and What by the seed record's symbolic ref ("con:3a",
"opp:0new", "case:2"); a ref in a subject ("{case:2}") becomes that Case's CaseNumber, and
"pacct:0#person_contact" names a Person Account's Contact (its PersonContactId, the Who).
The whole corpus is linked as one session: one batched look-up, then the pure decisions.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from app.sync.link_ladder import LadderRules, LinkSubject, decide, ladder_query
from app.sync.ports import CrmPort

CORPUS = Path(__file__).parent / "data" / "linking" / "corpus.json"
_REF = re.compile(r"\{([a-z]+:[\w]+)\}")


def load_corpus() -> dict:
    return json.loads(CORPUS.read_text())


def seed_corpus(emu, sf_org: str, corpus: dict) -> dict[str, str]:
    """Insert the corpus's records (references between them resolved); symbolic ref → record id."""
    ids: dict[str, str] = {}
    for record in corpus["records"]:
        fields = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in record["fields"].items()}
        if record["sobject"] == "User":
            ids[record["ref"]] = emu.create_user(sf_org, email=fields["email"])
        else:
            ids[record["ref"]] = emu.insert(sf_org, record["sobject"], fields)
    numbers = {c["Id"]: c["CaseNumber"] for c in emu.records(sf_org, "Case")}
    # a Person Account's Contact (its PersonContactId): the Who its activities take
    people = {a["Id"]: a["PersonContactId"] for a in emu.records(sf_org, "Account") if a.get("PersonContactId")}
    return {**ids, **{f"{ref}#number": numbers[i] for ref, i in ids.items() if i in numbers},
            **{f"{ref}#person_contact": people[i] for ref, i in ids.items() if i in people}}


def subject_of(item: dict, ids: dict[str, str]) -> LinkSubject:
    """Who-order addresses (sender first, the saving user never) and the subject with Case numbers filled in."""
    owner = item.get("owner", "ann@acme.test")
    addresses = tuple(dict.fromkeys(a.lower() for a in [item["from"], *item["to"]] if a.lower() != owner))
    return LinkSubject(addresses, _REF.sub(lambda m: ids[m.group(1) + "#number"], item["subject"]))


@dataclass
class Scores:
    """Who and What slots: a prediction is right when it names the expected record."""

    predicted: int = 0
    correct: int = 0
    expected: int = 0
    items: int = 0
    calls: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0

    @property
    def calls_per_item(self) -> float:
        return self.calls / self.items if self.items else 0.0


def score_corpus(crm: CrmPort, corpus: dict, ids: dict[str, str], rules: LadderRules,
                 misses: list | None = None) -> Scores:
    """Link every item as ONE session through ``crm`` and compare with the labels."""
    subjects = [subject_of({**item, "owner": corpus["owner"]}, ids) for item in corpus["items"]]
    facts = crm.lookup_links(ladder_query(subjects, rules))
    scores = Scores(items=len(subjects))
    for item, subject in zip(corpus["items"], subjects):
        decision = decide(subject, facts, rules)
        for slot, got in (("who", decision.who_id), ("what", decision.what_id)):
            want = ids.get(item[slot]) if item[slot] else None
            scores.expected += want is not None
            scores.predicted += got is not None
            scores.correct += got is not None and got == want
            if got != want and misses is not None:
                misses.append((item["note"], slot, item[slot], got, decision.reasons))
    return scores
