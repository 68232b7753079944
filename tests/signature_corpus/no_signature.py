"""Bodies with no signature (or one that says nothing): nothing may be read out of them."""
from tests.signature_corpus.sample import Sample

SAMPLES = [
    Sample("none-one-liner", "Just a quick note, no sign-off.", {}, sender=("a@globex.example", "Ann Lee")),
    Sample("none-empty", "", {}),
    Sample("none-first-name-only", "Sure, Tuesday works.\n\nThanks,\nMike", {},
           sender=("mike@contoso.example", "Mike Ross")),
    Sample("none-prose-paragraphs",
           "Hi all,\n\nThe meeting moved to room 4.12 on the second floor.\nBring the Q3 numbers.\n\n"
           "The coffee machine is fixed too.", {}, sender=("office@contoso.example", "Office")),
    Sample("none-only-quoted",
           "+1\n\nOn Mon, 3 Mar 2025 at 09:00, Jane Doe <jane@globex.example> wrote:\n"
           "> Best regards,\n> Jane Doe\n> CFO\n> Globex Corporation", {}, sender=("bob@fabrikam.example", "Bob")),
    Sample("none-only-disclaimer",
           "Ok.\n\nCONFIDENTIALITY NOTICE: This message is intended only for the named recipient. "
           "Tel +1 800 555 0000", {}, sender=("x@fabrikam.example", "")),
    Sample("none-numbers-in-body",
           "Order 4471-2231 shipped on 03.03.2025, tracking 1Z999AA10123456784.\nInvoice total: 1 234,56 EUR",
           {}, sender=("noreply@shop.example", "Shop")),
    Sample("none-automated-footer",
           "Your password was changed.\n\nIf this wasn't you, contact support.\n\n"
           "Sent via Contoso Notifications", {}, sender=("noreply@contoso.example", "Contoso")),
    Sample("none-html-newsletter",
           "<html><body><table><tr><td><h1>Spring Sale</h1></td></tr><tr><td>Up to 50% off all items. "
           "Offer ends Sunday.</td></tr><tr><td style=\"display:none\">Jane Doe<br>CFO</td></tr></table>"
           "</body></html>", {}, html=True, sender=("news@shop.example", "Shop News")),
    Sample("none-calendar-reply",
           "Accepted: Quarterly review\n\nWhen: Tuesday, March 4, 2025 10:00 AM-11:00 AM.\nWhere: Teams", {},
           sender=("olivia@woodgrove.example", "Olivia Brown")),
    Sample("none-thanks-and-initials",
           "Got it - will do.\n\nThx\nJD", {}, sender=("jd@contoso.example", "John Doe")),
    Sample("none-question",
           "Hi Sam,\n\nCould you send me the latest deck before Friday?\nI'd like to review it with Legal.\n\n"
           "Thanks!", {}, sender=("kim@fabrikam.example", "Kim Yu")),
    Sample("none-attendee-list",
           "Hi all,\n\nHere is who is coming on Thursday:\n\nJohn Smith\nMary Jones\nPeter Brown", {},
           sender=("kim@fabrikam.example", "Kim Yu")),
    Sample("none-thanks-then-prose",
           "Thanks\n\nI also spoke to the regional manager about the delivery schedule and she agreed that the "
           "second batch can ship next week.\nThe Sales Director will confirm.", {},
           sender=("kim@fabrikam.example", "Kim Yu")),
]
