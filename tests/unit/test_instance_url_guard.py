"""The SSRF guard: Salesforce's API instance hosts pass, everything else is refused with a reason."""
from __future__ import annotations

import pytest

from app.providers.salesforce.guard import UntrustedInstanceUrl, check_instance_url


@pytest.mark.parametrize("url, origin", [
    ("https://acme.my.salesforce.com", "https://acme.my.salesforce.com"),
    ("https://acme.my.salesforce.com/services/data/v62.0/", "https://acme.my.salesforce.com"),
    ("https://acme.my.salesforce.com:443", "https://acme.my.salesforce.com"),
    ("https://acme--dev.sandbox.my.salesforce.com", "https://acme--dev.sandbox.my.salesforce.com"),
    ("https://acme-dev-ed.develop.my.salesforce.com", "https://acme-dev-ed.develop.my.salesforce.com"),
    ("https://page-power-1234.scratch.my.salesforce.com", "https://page-power-1234.scratch.my.salesforce.com"),
    ("https://acme--uat.my.salesforce.com", "https://acme--uat.my.salesforce.com"),   # sandbox without enhanced domains
    ("https://acme--uat.cs42.my.salesforce.com", "https://acme--uat.cs42.my.salesforce.com"),  # older sandbox form
    ("https://na42.salesforce.com", "https://na42.salesforce.com"),
    ("https://cs42.salesforce.com", "https://cs42.salesforce.com"),
    ("https://usa77.salesforce.com", "https://usa77.salesforce.com"),
    ("https://login.salesforce.com/id/00D/005", "https://login.salesforce.com"),
    ("https://test.salesforce.com", "https://test.salesforce.com"),
    ("https://ACME.My.Salesforce.com.", "https://acme.my.salesforce.com"),
    ("https://agency.my.salesforce.mil", "https://agency.my.salesforce.mil"),                 # Government Cloud
    ("https://agency--qa.sandbox.my.salesforce.mil", "https://agency--qa.sandbox.my.salesforce.mil"),
    ("https://acme.my.sfcrmproducts.cn", "https://acme.my.sfcrmproducts.cn"),                # Salesforce on Alibaba Cloud
    ("https://xn--80ak6aa92e.my.salesforce.com.", "https://xn--80ak6aa92e.my.salesforce.com"),  # punycode is LDH
])
def test_salesforce_api_instance_hosts_pass(url, origin):
    assert check_instance_url(url) == origin


@pytest.mark.parametrize("url, reason", [
    ("http://acme.my.salesforce.com", "https"),
    ("file:///etc/passwd", "https"),
    ("HTTPS://acme.my.salesforce.com", "https"),
    ("https://evil.com", "not a Salesforce host"),
    ("https://salesforce.com.evil.com", "not a Salesforce host"),
    ("https://evilsalesforce.com", "not a Salesforce host"),
    ("https://acme.my.salesforce.com.evil.com", "not a Salesforce host"),
    # parser differentials: the HTTP library would connect somewhere else
    ("https://127.0.0.1\\.salesforce.com", "backslashes"),
    ("https://127.0.0.1\\@acme.my.salesforce.com", "backslashes"),
    ("https://evil.com\\@acme.my.salesforce.com", "backslashes"),
    ("https://acme.my.salesforce.com%2f@evil.com", "escapes"),
    ("https://acme%2emy.salesforce.com", "escapes"),
    ("https://user:pw@acme.my.salesforce.com", "credentials"),
    ("https://acme.my.salesforce.com@evil.com", "credentials"),
    ("https://acme.my.salesforce.com:443@evil.com", "credentials"),
    ("https://acme.my.salesforce.com#@evil.com", "credentials"),
    ("https://acme.my.salesforce.com evil.com", "backslashes"),
    ("https://acme.my.salesforce.com\r\nHost: evil.com", "backslashes"),
    ("https://acme.my.salesforce.com:443abc", "backslashes"),
    ("https://acme.my.salesforce.com:8443", "port 8443"),
    ("https://acme.my.salesforce.com:99999", "out of range"),
    ("https://[::1]", "backslashes"),
    ("https://[::1", "backslashes"),
    ("https://acme..my.salesforce.com", "not a DNS host name"),
    ("https://-acme.my.salesforce.com", "not a DNS host name"),
    ("https://acme_x.my.salesforce.com", "backslashes"),
    ("https://ａcme.my.salesforce.com", "backslashes"),
    # IP literals, also in their decimal, hex and short forms
    ("https://169.254.169.254/latest/meta-data", "IP addresses"),
    ("https://127.0.0.1:8443", "IP addresses"),
    ("https://2130706433", "IP addresses"),
    ("https://0x7f.1", "IP addresses"),
    # Salesforce domains that serve customer-controlled content, not the API
    ("https://acme.my.site.com", "not a Salesforce host"),
    ("https://evil.my.site.com/services/data", "not a Salesforce host"),
    ("https://acme.lightning.force.com", "not a Salesforce host"),
    ("https://acme--c.vf.force.com", "not a Salesforce host"),
    ("https://acme.force.com", "not a Salesforce host"),
    ("https://acme.my.salesforce-sites.com", "not a Salesforce host"),
    ("https://acme.my.salesforce-setup.com", "not a Salesforce host"),
    ("https://acme.file.force.com", "not a Salesforce host"),
    ("https://a.b.c.my.salesforce.com", "not a Salesforce host"),
    ("https://acme.unknown.my.salesforce.com", "not a Salesforce host"),
    ("https://www.salesforce.com", "not a Salesforce host"),
    ("https://trust.salesforce.com", "not a Salesforce host"),
])
def test_everything_else_is_refused(url, reason):
    with pytest.raises(UntrustedInstanceUrl, match=reason):
        check_instance_url(url)


def test_configured_hosts_are_allowed_with_their_port():
    assert check_instance_url("https://localhost:8443/x", ("localhost:8443",)) == "https://localhost:8443"
    with pytest.raises(UntrustedInstanceUrl):
        check_instance_url("https://localhost:9443", ("localhost:8443",))
    assert check_instance_url("https://sf.internal.test", ("sf.internal.test",)) == "https://sf.internal.test"


def test_an_allow_listed_host_cannot_be_reached_through_a_parser_trick():
    allowed = ("localhost:8443",)
    for url in ("https://localhost:8443\\@evil.com", "https://evil.com\\@localhost:8443",
                "https://localhost:8443@evil.com", "https://127.0.0.1:8443"):
        with pytest.raises(UntrustedInstanceUrl):
            check_instance_url(url, allowed)
