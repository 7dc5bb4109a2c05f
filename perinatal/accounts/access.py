"""The one gate in front of every back-office page and staff API endpoint.

``@staff_view(Can.X)`` lets a request through only when the person is signed in with both
factors, is active, and has a role that carries capability X. Anyone else who is signed in gets
404, so a record's address reveals nothing about whether it exists. Every staff response is
``no-store``: a shared clinic computer's back button or cache must not show a chart.
"""

from functools import wraps
from urllib.parse import urlencode

from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from ninja.security import SessionAuth

from perinatal.accounts.roles import can


def is_verified(user) -> bool:
    """Signed in with a password and a second factor (django-otp sets ``is_verified``)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "is_verified", lambda: False)()
    )


def sign_in_redirect(request) -> HttpResponseRedirect:
    """To the sign-in step this person still needs, coming back here afterwards."""
    step = "accounts:second_factor" if request.user.is_authenticated else "accounts:sign_in"
    return HttpResponseRedirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


def staff_view(capability: str):
    """Decorate a view: both factors, an active account, and ``capability`` from the matrix."""

    def decorate(view):
        @wraps(view)
        def gated(request, *args, **kwargs):
            if not is_verified(request.user):
                return sign_in_redirect(request)
            if not can(request.user, capability):
                raise Http404
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            response.headers["Cache-Control"] = "no-store, private"
            return response

        gated.staff_capability = capability
        return gated

    return decorate


class StaffAuth(SessionAuth):
    """django-ninja auth for staff endpoints: the signed-in session (with its CSRF check on
    writes), both factors and a capability. Without them the call gets 401; a person signed in
    without the capability gets 404, the same answer as for a record that does not exist.
    """

    def __init__(self, capability: str):
        super().__init__()
        self.capability = capability

    def authenticate(self, request, key):
        if not is_verified(request.user):
            return None
        if not can(request.user, self.capability):
            raise Http404
        return request.user
