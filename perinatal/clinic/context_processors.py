from perinatal.clinic.models import Clinic


def clinic(request):
    """The clinic's identity for every template, read once per request."""
    if not hasattr(request, "_clinic"):
        request._clinic = Clinic.objects.current()
    return {"clinic": request._clinic}
