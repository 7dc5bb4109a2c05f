"""One error shape for the whole API: ``{"error": {"code", "message", "details"}}``."""

from ninja import Schema, Status


class ErrorDetail(Schema):
    field: str | None = None
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorOut(Schema):
    error: ErrorBody


def error(code: str, message: str, details: list[dict] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or []}}


def fail(status: int, code: str, message: str, details: list[dict] | None = None) -> Status:
    """An error response in the one shape, for endpoints to return."""
    return Status(status, error(code, message, details))
