"""The app's URLs plus /bench/bare: the full middleware stack and one trivial query, nothing else.

Every endpoint's throughput is reported as a ratio of this view's, measured in the same run.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from perinatal.urls import urlpatterns as app_urlpatterns


def bare(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *app_urlpatterns]
