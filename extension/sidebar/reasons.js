// Why a related record was found, in words (kinds come from POST /related-records).

const LABELS = {
  address_match: "Email address matches",
  address_in_body: "Address appears in the message",
  domain_account: "Account for the sender's domain",
  signature: "Found in the signature",
  subject_number: "Number in the subject",
  manual: "Linked by you",
};

export function reasonText(reason) {
  const label = LABELS[reason.kind] || "Related";
  return reason.detail ? `${label}: ${reason.detail}` : label;
}

export const RECORD_TYPES = ["Contact", "Lead", "Account", "Opportunity", "Case", "User"];
export const PLURAL = {
  Contact: "Contacts", Lead: "Leads", Account: "Accounts",
  Opportunity: "Opportunities", Case: "Cases", User: "Users",
};
/** Salesforce's Name (WhoId) takes Contacts or one Lead; Related To (WhatId) the others. */
export const WHO_TYPES = ["Contact", "Lead"];
export const WHAT_TYPES = ["Account", "Opportunity", "Case"];
