import mimetypes

from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from perinatal.clinic.models import Clinic

# An image needs none of the site's sources; an SVG opened on its own must run and load nothing.
LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@cache_control(max_age=3600, public=True)
def logo(request):
    clinic = Clinic.objects.current()
    if not clinic.logo:
        raise Http404
    try:
        file = clinic.logo.open("rb")
    except FileNotFoundError:  # the row outlived its file (a restored database, a wiped var/)
        raise Http404 from None
    content_type, _ = mimetypes.guess_type(clinic.logo.name)
    response = FileResponse(file, content_type=content_type or "application/octet-stream")
    response["Content-Security-Policy"] = LOGO_POLICY
    return response


@cache_control(max_age=3600, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico on their own (for a bare file, an error page): the clinic's
    logo, or the site's icon."""
    clinic = Clinic.objects.current()
    if clinic.logo:
        return redirect("clinic_logo")
    return redirect(static("perinatal/icon.svg"))
