"""One labelled autoresolve item (an email or a meeting) and the person a reader expects created."""
from __future__ import annotations

from dataclasses import dataclass, field

OWNER = "ann@acme.test"          # the saving user
ORG_DOMAINS = ("acme.test",)     # the org's own domains (subdomains included)
# free-mail domains the corpus uses: a person there gets no Account by domain
FREE_MAIL = frozenset({"gmail.com", "outlook.com", "yahoo.fr", "gmx.de", "web.de", "hotmail.com", "icloud.com"})


@dataclass(frozen=True)
class Person:
    """The expected new person: names, title and the company a reader would write down.

    ``company`` None means nobody says (free-mail without a company in the signature): a Lead then
    carries Salesforce's placeholder and a Contact gets no Account."""

    last: str
    first: str | None = None
    title: str | None = None
    company: str | None = None


@dataclass(frozen=True)
class Item:
    """What a session hands the ladder: the writer (sender or organizer), the other participants
    (never the saving user) and the body; ``expect`` maps every participant to a Person or None."""

    id: str
    kind: str                      # "email" or "meeting"
    writer: str
    others: tuple[str, ...] = ()
    text: str = ""
    html: str = ""
    expect: dict[str, Person | None] = field(default_factory=dict)

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.lower() for a in (self.writer, *self.others) if a))
