from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from perinatal.api import api
from perinatal.clinic import views as clinic_views


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", healthz),
    path("clinic/logo", clinic_views.logo, name="clinic_logo"),
    path("favicon.ico", clinic_views.favicon),
    # The back office, in English. Each app adds its own pages under /staff/.
    path("staff/", include("perinatal.accounts.staff_urls")),
    path("staff/", include("perinatal.backoffice.urls")),
    path("staff/", include("perinatal.booking.staff_urls")),
    path("staff/", include("perinatal.consult.staff_urls")),
    path("staff/", include("perinatal.consents.staff_urls")),
    path("staff/", include("perinatal.obcare.staff_urls")),
    path("staff/", include("perinatal.plans.staff_urls")),
    path("staff/", include("perinatal.pathway.urls")),
    path("staff/", include("perinatal.infusion.urls")),
    path("staff/", include("perinatal.followup.staff_urls")),
    path("staff/", include("perinatal.outcomes.urls")),
    # What an OB opens from a letter's link.
    path("ob/", include("perinatal.obcare.urls")),
]
# English at /, Spanish at /es/: each page has one address per language, no cookie needed.
urlpatterns += i18n_patterns(
    path("", include("perinatal.screening.urls")),
    path("", include("perinatal.booking.urls")),
    path("", include("perinatal.consents.urls")),
    path("", include("perinatal.infusion.public_urls")),
    path("", include("perinatal.followup.public_urls")),
    path("", include("perinatal.learn.urls")),
    prefix_default_language=False,
)

admin.site.site_header = "Perinatal — clinic staff"
admin.site.site_title = "Perinatal staff"
