"""The Initial Search's SOQL: at most five statements per round, so each round is ONE Composite call.

Round one finds people by address (or the signer by name), active Users among the
participants, Accounts by website domain or company name, and Cases by number; round two the
Opportunities and open Cases of the Accounts found.
"""
from __future__ import annotations

from collections.abc import Sequence

from app.providers.salesforce.queries import like_contains, soql_in, soql_literal
from app.sync.sidebar_ports import RelatedTerms

ROW_LIMIT = 50



def _either(*conditions: str) -> str:
    present = [c for c in conditions if c]
    return present[0] if len(present) == 1 else "(" + " OR ".join(present) + ")"


def _people(terms: RelatedTerms) -> dict[str, str]:
    by_email = f"Email IN {soql_in(terms.emails)}" if terms.emails else ""
    by_name = f"Name = {soql_literal(terms.person_name)}" if terms.person_name else ""
    if not (by_email or by_name):
        return {}
    where = _either(by_email, by_name)
    return {"Contact": f"SELECT Id, Name, Email, Title, Phone, AccountId, Account.Name FROM Contact "
                       f"WHERE {where} LIMIT {ROW_LIMIT}",
            "Lead": f"SELECT Id, Name, Email, Title, Company FROM Lead WHERE IsConverted = false "
                    f"AND {where} LIMIT {ROW_LIMIT}"}


def first_statements(terms: RelatedTerms) -> dict[str, str]:
    """People, Users, Accounts and Cases by type (only the statements with something to look for)."""
    out = _people(terms)
    if terms.user_emails:
        out["User"] = (f"SELECT Id, Name, Email FROM User WHERE IsActive = true "
                       f"AND Email IN {soql_in(terms.user_emails)} LIMIT {ROW_LIMIT}")
    by_site = " OR ".join(f"Website LIKE {like_contains(d)}" for d in terms.domains)
    by_company = f"Name = {soql_literal(terms.company)}" if terms.company else ""
    if by_site or by_company:
        out["Account"] = (f"SELECT Id, Name, Website FROM Account WHERE {_either(by_site, by_company)} "
                          f"LIMIT {ROW_LIMIT}")
    if terms.case_numbers:
        out["Case"] = (f"SELECT Id, CaseNumber, Subject, Status, AccountId, Account.Name FROM Case "
                       f"WHERE CaseNumber IN {soql_in(terms.case_numbers)} LIMIT {ROW_LIMIT}")
    return out


def account_statements(account_ids: Sequence[str]) -> dict[str, str]:
    """Opportunities and open Cases of the accounts found in the first round."""
    if not account_ids:
        return {}
    ids = soql_in(list(account_ids)[:ROW_LIMIT])
    return {
        "Opportunity": (f"SELECT Id, Name, StageName, CloseDate, Amount, CreatedDate, IsClosed, AccountId, "
                        f"Account.Name FROM Opportunity "
                        f"WHERE AccountId IN {ids} ORDER BY CloseDate DESC LIMIT {ROW_LIMIT}"),
        "Case": (f"SELECT Id, CaseNumber, Subject, Status, AccountId, Account.Name FROM Case "
                 f"WHERE IsClosed = false AND AccountId IN {ids} ORDER BY CreatedDate DESC LIMIT {ROW_LIMIT}"),
    }
