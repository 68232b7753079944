"""A labelled set of real-world-shaped email bodies and what their signatures say.

Each sample is a body (plain text or HTML), the sender (address, display name) and the fields
a person reading the mail would write down; a field not listed is empty. Phones are labelled
normalised (E.164-like when the country code is written, else as written) with their type.
Layouts: stacked, one-line "Name | Title | Company", tables, with replies under, disclaimers,
mobile footers, several languages, and bodies with no signature at all.
"""
from tests.signature_corpus import held_out, html_bodies, intl_plain, mixed_layouts, no_signature, plain_en, replies
from tests.signature_corpus.sample import FIELDS, Sample

SAMPLES: list[Sample] = [*plain_en.SAMPLES, *intl_plain.SAMPLES, *html_bodies.SAMPLES, *replies.SAMPLES,
                         *mixed_layouts.SAMPLES, *held_out.SAMPLES,
                         *no_signature.SAMPLES]
__all__ = ["FIELDS", "SAMPLES", "Sample"]
