"""Google's calls to Syncline: Calendar channel notifications (headers only) and Pub/Sub pushes."""
from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from schemas.base import StrictSchema


class CalendarHeadersSchema(StrictSchema):
    """The headers Syncline reads ("Push notifications" guide); Google's others pass unread."""

    class Meta:
        unknown = EXCLUDE

    channel_id = fields.String(data_key="X-Goog-Channel-ID", required=True, validate=validate.Length(min=1, max=64))
    channel_token = fields.String(data_key="X-Goog-Channel-Token", load_default="",
                                  validate=validate.Length(max=256))
    resource_id = fields.String(data_key="X-Goog-Resource-ID", required=True, validate=validate.Length(max=1024))
    resource_state = fields.String(data_key="X-Goog-Resource-State", required=True, metadata={
        "description": "sync (the channel opened: ignored), exists or not_exists (a change)"})


class PubSubMessageSchema(StrictSchema):
    class Meta:
        unknown = EXCLUDE

    data = fields.String(required=True, validate=validate.Length(min=1, max=4096), metadata={
        "description": "base64 JSON {\"emailAddress\", \"historyId\"} (Gmail's notification)"})
    messageId = fields.String()
    publishTime = fields.String()


class PubSubPushSchema(StrictSchema):
    """Pub/Sub's push envelope (the unwrapped format: it would carry no ``subscription``)."""

    class Meta:
        unknown = EXCLUDE

    message = fields.Nested(PubSubMessageSchema, required=True)
    subscription = fields.String()
