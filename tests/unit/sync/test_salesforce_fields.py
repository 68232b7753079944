"""Which custom fields a session needs, which of them the user's describe lacks, and the one sentence."""
from __future__ import annotations

from app.sync.salesforce_fields import (
    PRODUCT_FIELDS,
    FieldProblem,
    field_problems,
    session_needs,
    setup_message,
)


def _describe(**objects):
    """object → {field: writable}; an object given as None is one the org lacks."""
    def describe(name):
        fields = objects.get(name)
        if fields is None:
            return None
        return {"fields": [{"name": n, "createable": w, "updateable": w} for n, w in fields.items()]}
    return describe


def test_a_session_needs_the_key_on_every_object_it_writes_and_every_mapped_custom_field():
    needs = session_needs({"Event": ("Subject", "Syncline_Cancelled__c", "Region__c"), "Contact": ("LastName",)},
                          written=["EmailMessage"])
    assert needs == {"Event": {"Syncline_Key__c", "Syncline_Cancelled__c", "Region__c"},
                     "Contact": {"Syncline_Key__c"}, "EmailMessage": {"Syncline_Key__c"}}


def test_missing_hidden_and_read_only_fields_are_problems_other_fields_only_need_to_be_visible():
    needs = {"Event": {"Syncline_Key__c", "Syncline_Cancelled__c", "Region__c"}, "Contact": {"Syncline_Key__c"},
             "EmailMessage": {"Syncline_Key__c"}}
    describe = _describe(Event={"syncline_key__c": True, "Syncline_Cancelled__c": False, "Region__c": False},
                         Contact={"LastName": True}, EmailMessage=None)
    assert field_problems(needs, describe) == [FieldProblem("Contact", "Syncline_Key__c"),
                                               FieldProblem("Event", "Syncline_Cancelled__c", read_only=True)]


def test_the_sentence_names_each_field_the_user_and_the_fix():
    text = setup_message([FieldProblem("Contact", "Syncline_Key__c"),
                          FieldProblem("Event", "Syncline_Cancelled__c", read_only=True)], "ann@acme.test", "`fix`")
    assert text == ("Salesforce setup is incomplete for ann@acme.test: Contact.Syncline_Key__c is missing or hidden "
                    "by field-level security from this user; Event.Syncline_Cancelled__c is read-only for this user; "
                    "an admin runs `fix` to create Syncline's fields and grant access to them")
    assert "removes it from the mapping table" in setup_message([FieldProblem("Event", "Region__c")], "ann", "`fix`")


def test_the_registry_defines_event_and_task_fields_on_activity_with_tooling_metadata():
    key = next(f for f in PRODUCT_FIELDS if f.full_name == "Task.Syncline_Key__c")
    assert key.defined_on == "Activity"
    assert key.metadata() | {"description": ""} == {
        "label": "Syncline Key", "type": "Text", "description": "", "required": False, "externalId": True,
        "length": 255, "unique": True, "caseSensitive": False}
    flag = next(f for f in PRODUCT_FIELDS if f.full_name == "EmailMessage.Syncline_Manual_Save__c")
    assert flag.defined_on == "EmailMessage" and flag.metadata()["defaultValue"] == "false"
