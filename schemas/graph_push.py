"""Microsoft Graph's calls to Syncline: the validation handshake and notification batches."""
from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from schemas.base import StrictSchema

MAX_TOKEN = 1024


class ValidationArgsSchema(StrictSchema):
    validationToken = fields.String(validate=validate.Length(min=1, max=MAX_TOKEN), metadata={
        "description": "Sent by Graph when a subscription is created or renewed: echoed as text/plain"})


class NotificationSchema(StrictSchema):
    """The fields Syncline reads; Graph's others (tenantId, resourceData, …) are let through unread."""

    class Meta:
        unknown = EXCLUDE

    subscriptionId = fields.String(required=True)
    clientState = fields.String()
    changeType = fields.String(metadata={"description": "created, updated or deleted (change notifications)"})
    lifecycleEvent = fields.String(metadata={
        "description": "reauthorizationRequired, subscriptionRemoved or missed (lifecycle notifications)"})
    resource = fields.String()


class NotificationBatchSchema(StrictSchema):
    class Meta:
        unknown = EXCLUDE

    value = fields.List(fields.Nested(NotificationSchema), load_default=None,
                        metadata={"description": "Required unless validationToken is given"})
