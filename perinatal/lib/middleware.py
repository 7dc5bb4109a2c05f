"""Headers Django does not set by itself."""

from perinatal.lib.redact import is_staff_path

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
# Staff pages tell no other site where a click came from. Not "no-referrer": browsers then send
# "Origin: null" with a form's POST, which fails Django's CSRF check.
STAFF_REFERRER_POLICY = "same-origin"


def security_headers(get_response):
    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if is_staff_path(request.path_info):
            response.headers.setdefault("Referrer-Policy", STAFF_REFERRER_POLICY)
        return response

    return middleware
