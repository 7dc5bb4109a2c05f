"""What every request to and reply from the JSON API passes through, before any endpoint runs.

- A body must be JSON (``Content-Type: application/json``): anything else is 415, so a form or
  ``text/plain`` post made by another site's page (which needs no CORS preflight) never reaches
  an endpoint.
- No string in the body may hold a control character: 422 naming the field, rather than a 500
  when PostgreSQL refuses a NUL byte. Query parameters lose theirs (nothing stored holds one,
  so no lookup or search changes; an endpoint's own validation answers what is left).
- No reply is kept by a browser or proxy cache (``no-store``): replies carry screening results,
  bookings and staff search results.
"""

import json
from urllib.parse import urlencode

from django.http import JsonResponse, QueryDict

from perinatal.lib.api_errors import error
from perinatal.lib.text import API_PREFIX, has_control_characters, without_control_characters

JSON = "application/json"


def _control_characters_at(value, path: str = "") -> str | None:
    """The dotted path of the first string (or key) holding a control character, if any."""
    if isinstance(value, str):
        return path if has_control_characters(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if has_control_characters(str(key)):
                return where
            found = _control_characters_at(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _control_characters_at(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def _refusal(request) -> JsonResponse | None:
    if not request.body:
        return None
    if request.content_type != JSON:
        return JsonResponse(
            error("unsupported_media_type", "Send the body as JSON (application/json)."),
            status=415,
        )
    try:
        body = json.loads(request.body)
    except ValueError:
        return None  # the endpoint's parser answers a malformed body with its own 400
    where = _control_characters_at(body)
    if where is None:
        return None
    return JsonResponse(
        error(
            "invalid_input",
            "The request is not valid; see details.",
            [{"field": where or None, "message": "contains a control character"}],
        ),
        status=422,
    )


def _clean_query(request) -> None:
    pairs = [(k, v) for k, values in request.GET.lists() for v in values]
    if not any(has_control_characters(k) or has_control_characters(v) for k, v in pairs):
        return
    request.GET = QueryDict(
        urlencode(
            [(without_control_characters(k), without_control_characters(v)) for k, v in pairs]
        )
    )


def api_guard(get_response):
    def middleware(request):
        if not request.path.startswith(API_PREFIX):
            return get_response(request)
        _clean_query(request)
        response = _refusal(request) if request.method in ("POST", "PUT", "PATCH") else None
        if response is None:
            response = get_response(request)
        response.headers.setdefault("Cache-Control", "no-store, private")
        return response

    return middleware
