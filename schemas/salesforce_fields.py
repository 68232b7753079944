"""Syncline's custom fields in the org: their status, and what a setup run changed."""
from __future__ import annotations

from marshmallow import fields

from schemas.base import StrictSchema


class FieldStateSchema(StrictSchema):
    object = fields.String(required=True, metadata={"description": "Event, Task, Contact or EmailMessage"})
    field = fields.String(required=True, metadata={"description": "API name, e.g. Syncline_Key__c"})
    type = fields.String(required=True, metadata={"description": "Metadata API type: Text or Checkbox"})
    why = fields.String(required=True)
    defined = fields.Boolean(required=True, metadata={"description": "The field exists in the org (Tooling API)"})
    visible = fields.Boolean(required=True, metadata={
        "description": "The admin's connection sees it (field-level security grants read)"})
    writable = fields.Boolean(required=True, metadata={"description": "... and may create and update it"})
    object_available = fields.Boolean(required=True, metadata={
        "description": "False when the org does not offer the object (its fields are skipped)"})


class FieldStatusSchema(StrictSchema):
    ready = fields.Boolean(required=True, metadata={"description": "Every field exists and the admin can write it"})
    field_states = fields.List(fields.Nested(FieldStateSchema), required=True, attribute="fields", data_key="fields")
    permission_set = fields.String(required=True, metadata={
        "description": "The permission set granting read/edit on the fields"})
    users_without_permission_set = fields.List(fields.String(), required=True, metadata={
        "description": "Emails of the org's signed-in Syncline users not assigned that permission set yet"})


class FieldSetupSchema(StrictSchema):
    created = fields.List(fields.String(), required=True, metadata={
        "description": "Definitions created, e.g. Activity.Syncline_Key__c (Event and Task share Activity fields)"})
    granted = fields.List(fields.String(), required=True, metadata={"description": "Object.field newly granted"})
    assigned = fields.List(fields.String(), required=True, metadata={
        "description": "Emails of users newly assigned the permission set"})
    resumed_mailboxes = fields.List(fields.Integer(), required=True, metadata={
        "description": "Mailboxes suspended for missing fields, now resumed"})
    changed = fields.Boolean(required=True, metadata={"description": "False: everything was already in place"})
