"""The versioned JSON API: /api/v1/, schema at /api/v1/openapi.json."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from perinatal.backoffice.api import router as staff_patients_router
from perinatal.booking.api import router as booking_router
from perinatal.booking.services import LinkPassed
from perinatal.lib.api_errors import error
from perinatal.screening.api import router as screening_router
from perinatal.screening.instruments import instrument_codes

api = NinjaAPI(
    title="Perinatal API",
    version="1",
    description="Anonymous self-screening and booking a free consultation; care and follow-up "
    "as they land.",
    urls_namespace="api-v1",
    docs_url=None,
)
api.add_router("/", screening_router)
api.add_router("/", booking_router)
api.add_router("/staff/", staff_patients_router)


# Discriminated-union bodies put the tag in the error location ("epds.answers"); clients
# know the field as "answers", and a bad or missing tag is an error in the "instrument" field.
UNION_TAG_FIELD = "instrument"
UNION_TAG_ERRORS = {"union_tag_invalid", "union_tag_not_found"}


def _field(error: dict) -> str | None:
    if error.get("type") in UNION_TAG_ERRORS:
        return UNION_TAG_FIELD
    parts = [str(p) for p in error.get("loc", ()) if p not in ("body", "payload", "query", "path")]
    if len(parts) > 1 and parts[0] in instrument_codes():
        parts = parts[1:]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def invalid_input(request, exc: ValidationError):
    details = [{"field": _field(e), "message": e.get("msg", "invalid")} for e in exc.errors]
    return api.create_response(
        request,
        error("invalid_input", "The request is not valid; see details.", details),
        status=422,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, error("unauthenticated", "Sign in first."), status=401)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    code = "malformed_request" if exc.status_code == 400 else "http_error"
    return api.create_response(request, error(code, str(exc)), status=exc.status_code)


@api.exception_handler(LinkPassed)
def link_passed(request, exc):
    message = "This appointment is over; its link no longer opens it."
    return api.create_response(request, error("link_passed", message), status=404)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, error("not_found", "Not found."), status=404)
