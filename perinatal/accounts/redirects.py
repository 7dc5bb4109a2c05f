"""Where the sign-in pages send people next: only ever to a path on this site."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request) -> str:
    """The ``next`` address if it is a path on this site, else ""."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if (
        url.startswith("/")
        and not url.startswith("//")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return ""


def with_next(view_name: str, next_url: str) -> str:
    url = reverse(view_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
