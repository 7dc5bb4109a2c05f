import mimetypes

from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control

from perinatal.clinic.models import Clinic


@cache_control(max_age=3600, public=True)
def logo(request):
    clinic = Clinic.objects.current()
    if not clinic.logo:
        raise Http404
    content_type, _ = mimetypes.guess_type(clinic.logo.name)
    return FileResponse(
        clinic.logo.open("rb"), content_type=content_type or "application/octet-stream"
    )
