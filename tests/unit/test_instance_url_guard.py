"""The SSRF guard: Salesforce's own HTTPS hosts pass, everything else is refused with a reason."""
from __future__ import annotations

import pytest

from app.providers.salesforce.guard import UntrustedInstanceUrl, check_instance_url


@pytest.mark.parametrize("url, origin", [
    ("https://acme.my.salesforce.com", "https://acme.my.salesforce.com"),
    ("https://acme.my.salesforce.com/services/data/v62.0/", "https://acme.my.salesforce.com"),
    ("https://na42.salesforce.com", "https://na42.salesforce.com"),
    ("https://acme--dev.sandbox.my.salesforce.com", "https://acme--dev.sandbox.my.salesforce.com"),
    ("https://acme.lightning.force.com", "https://acme.lightning.force.com"),
    ("https://acme.my.salesforce-setup.com", "https://acme.my.salesforce-setup.com"),
    ("https://login.salesforce.com/id/00D/005", "https://login.salesforce.com"),
    ("https://ACME.My.Salesforce.com.", "https://acme.my.salesforce.com"),
])
def test_salesforce_hosts_pass(url, origin):
    assert check_instance_url(url) == origin


@pytest.mark.parametrize("url, reason", [
    ("http://acme.my.salesforce.com", "https"),
    ("https://evil.com", "not a Salesforce host"),
    ("https://salesforce.com.evil.com", "not a Salesforce host"),
    ("https://evilsalesforce.com", "not a Salesforce host"),
    ("https://169.254.169.254/latest/meta-data", "not a Salesforce host"),
    ("https://127.0.0.1:8443", "port 8443"),
    ("https://user:pw@acme.my.salesforce.com", "credentials"),
    ("https://acme.my.salesforce.com:8443", "port 8443"),
    ("file:///etc/passwd", "https"),
    ("https://[::1", "not a valid URL"),
])
def test_everything_else_is_refused(url, reason):
    with pytest.raises(UntrustedInstanceUrl, match=reason):
        check_instance_url(url)


def test_configured_hosts_are_allowed_with_their_port():
    assert check_instance_url("https://localhost:8443/x", ("localhost:8443",)) == "https://localhost:8443"
    with pytest.raises(UntrustedInstanceUrl):
        check_instance_url("https://localhost:9443", ("localhost:8443",))
    assert check_instance_url("https://sf.internal.test", ("sf.internal.test",)) == "https://sf.internal.test"
