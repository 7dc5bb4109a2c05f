"""Whole-page caching for public pages that are the same for every visitor in a language.

The key carries the clinic's cache version, so editing the clinic (name, phone, locations) shows
at once in this process and within the clinic cache's minute elsewhere. Pages that carry a
per-request script nonce, set a cookie or vary by query string are never cached.
"""

from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control

from perinatal.clinic.models import current_clinic_version

PAGE_CACHE_SECONDS = 300

# The opposite: pages about one person (answers about her mood, her appointment) must not sit in
# shared caches or the browser's disk cache.
private_page = cache_control(no_store=True, private=True)


def public_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.GET:
            return view(request, *args, **kwargs)
        key = f"page:{current_clinic_version()}:{get_language()}:{request.path}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        cacheable = (
            response.status_code == 200
            and not response.cookies
            and b'nonce="' not in response.content
        )
        if cacheable:
            cache.set(key, (response.content, response["Content-Type"]), PAGE_CACHE_SECONDS)
        return response

    return wrapped
