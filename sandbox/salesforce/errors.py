"""Salesforce error shapes: top-level REST errors and per-record (Collections) errors."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """A whole-request failure, rendered as `[{"message", "errorCode"[, "fields"]}]`."""

    def __init__(self, status: int, code: str, message: str,
                 fields: list[str] | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.fields, self.extra = fields, extra or {}

    def body(self) -> list[dict[str, Any]]:
        entry: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            entry["fields"] = self.fields
        entry.update(self.extra)
        return [entry]


@dataclass
class RecordError:
    """One DML error on one record; Collections show `statusCode`, single calls `errorCode`."""

    code: str
    message: str
    fields: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_collection(self) -> dict[str, Any]:
        return {"statusCode": self.code, "message": self.message, "fields": self.fields,
                **self.extra}

    def as_top_level(self) -> dict[str, Any]:
        return {"message": self.message, "errorCode": self.code, "fields": self.fields,
                **self.extra}


class RecordFailed(Exception):
    """Raised by a DML step when a record cannot be saved; carries its errors."""

    def __init__(self, errors: list[RecordError]) -> None:
        super().__init__("; ".join(f"{e.code}: {e.message}" for e in errors))
        self.errors = errors


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")


def entity_deleted() -> ApiError:
    return ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", fields=[])


def invalid_session() -> ApiError:
    return ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")


def json_parser_error(message: str) -> ApiError:
    return ApiError(400, "JSON_PARSER_ERROR", message)


def invalid_field_on(name: str, sobject: str) -> ApiError:
    return ApiError(400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {sobject}")


def unsupported_type(name: str) -> ApiError:
    return ApiError(400, "INVALID_TYPE", f"sObject type '{name}' is not supported.")


class RecordRejected(ApiError):
    """A single-record call whose record failed: 400 with the record errors top-level."""

    def __init__(self, errors: list[RecordError]) -> None:
        super().__init__(400, errors[0].code, errors[0].message)
        self.errors = errors

    def body(self) -> list[dict[str, Any]]:
        return [e.as_top_level() for e in self.errors]
