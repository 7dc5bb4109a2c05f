"""The versioned JSON API: /api/v1/, schema at /api/v1/openapi.json."""

from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from perinatal.lib.api_errors import error
from perinatal.screening.api import router as screening_router

api = NinjaAPI(
    title="Perinatal API",
    version="1",
    description="Anonymous self-screening now; booking, care and follow-up as they land.",
    urls_namespace="api-v1",
    docs_url=None,
)
api.add_router("/", screening_router)


def _field(loc) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def invalid_input(request, exc: ValidationError):
    details = [
        {"field": _field(e.get("loc", ())), "message": e.get("msg", "invalid")} for e in exc.errors
    ]
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
    return api.create_response(request, error("http_error", str(exc)), status=exc.status_code)
