"""The labelled autoresolve corpus: emails and meetings with the person a reader expects created
for each participant, or none. Shared by its test and ``bench/linking.py``.

Unknown external senders come from the signature corpus (tests/signature_corpus); the rest are
colleagues, Users, blocklisted and automated senders, people already in Salesforce, free-mail
senders, meetings with several unknown attendees, mail sent to unknown recipients, quoted
replies and repeats. The whole corpus is one session (one batched look-up), in this order.
"""
from tests.autoresolve_corpus.from_signatures import follow_up_items, signature_items
from tests.autoresolve_corpus.item import Item, Person
from tests.autoresolve_corpus.meetings_outbound import MEETINGS, OUTBOUND, REPEATS
from tests.autoresolve_corpus.negatives import NEGATIVES

_SIGNED = signature_items()
ITEMS: list[Item] = [*follow_up_items(_SIGNED), *_SIGNED, *NEGATIVES, *MEETINGS, *OUTBOUND, *REPEATS]
__all__ = ["ITEMS", "Item", "Person"]
