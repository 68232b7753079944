"""The one HTML sanitiser for email bodies Syncline stores or shows (LIMITS.md rule 10).

Every path that writes HTML to Salesforce or hands it to a sidebar calls `clean_html`, so a
`<script>`, an event handler or a `javascript:` link never survives, whoever saved the email.
"""
from __future__ import annotations

import nh3


def clean_html(html: str | None) -> str | None:
    """Safe HTML with the formatting kept; None and "" pass through unchanged."""
    if not html:
        return html
    return nh3.clean(html)
