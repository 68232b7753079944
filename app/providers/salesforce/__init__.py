"""Everything that talks to Salesforce over HTTPS."""
