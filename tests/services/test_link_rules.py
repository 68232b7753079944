"""Site domains for the ladder's domain rung (bundled Public Suffix List, no network) and the
org's own domains from its users and the setting."""
from __future__ import annotations

import pytest

from app.services.link_rules import ladder_rules, site_domain


@pytest.mark.parametrize("host, site", [
    ("mail.acme.co.uk", "acme.co.uk"), ("ACME.COM.", "acme.com"), ("eu.mail.globex.com.au", "globex.com.au"),
    ("co.uk", ""), ("10.1.2.3", ""), ("mail.client.test", "client.test"), ("localhost", "")])
def test_site_domain_is_public_suffix_aware(host, site):
    assert site_domain(host) == site


def test_the_orgs_own_domains_are_its_users_and_the_setting(app, factory):
    user = factory.user(factory.org(), email="ann@eu.acme.co.uk")
    with app.extensions["syncline"].db.session_scope() as s:
        rules = ladder_rules(s, user.org_id, {"link_org_domains": ["Acme-Group.com"], "link_opportunity_rule": "by_stage"})
    assert rules.org_domains == {"acme.co.uk", "acme-group.com"}
    assert rules.opportunity_rule == "open_newest"        # by_stage stored without stages: the default
    assert rules.site("someone@mail.acme.co.uk") == "" and rules.site("x@client.co.uk") == "client.co.uk"
