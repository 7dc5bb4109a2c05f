"""The site's URLs plus one staff API endpoint, to test ``StaffAuth`` before real ones exist."""

from django.urls import path
from ninja import NinjaAPI

from perinatal.accounts.access import StaffAuth
from perinatal.accounts.roles import Can
from perinatal.urls import urlpatterns as site_urlpatterns

api = NinjaAPI(urls_namespace="staff-auth-test", docs_url=None)


@api.get("/schedule-probe", auth=StaffAuth(Can.SEE_SCHEDULE))
def schedule_probe(request):
    return {"username": request.auth.get_username()}


urlpatterns = [path("staff-api-test/", api.urls), *site_urlpatterns]
