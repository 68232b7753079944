"""Reading a person out of an email signature (pure, standard library only).

``model``    what a signature says: name, title, company, typed phones, address lines, website
``html_text`` an HTML body as text with its line structure, hidden parts and reply chains dropped
``history``  the writer's own text: quoted replies, forwarded parts, mobile footers, disclaimers cut
``block``    where the signature block starts (sign-off, ``--``, the sender's name, last paragraph)
``names``    names: does a line look like one, first/last split, match against the From display name
``phones``   phone numbers: found, typed (work/mobile/fax) and normalised when a country code is given
``hints``    whether a line names the sender's organisation (its domain; free-mail names none)
``fields``   which line is a title, a company, an address line, a website
``extract``  the entry point: ``extract_signature(text, html, hint)``
The engine (autoresolve, the resolution ladder) and the sidebar share it.
"""
from app.sync.signature.extract import extract_signature as extract_signature
from app.sync.signature.model import Phone as Phone
from app.sync.signature.model import SenderHint as SenderHint
from app.sync.signature.model import Signature as Signature
from app.sync.signature.names import split_name as split_name
