"""The app's URLs plus two baselines, each doing one trivial query and nothing else:

- /bench/bare: the full middleware stack. Every endpoint's throughput is reported as a ratio of
  this view's, measured in the same run.
- /bench/staff-bare: the same behind the staff gate (session, account, second factor,
  capability), the fixed cost every staff page pays before it does anything of its own.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can
from perinatal.urls import urlpatterns as app_urlpatterns


def bare(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse(b"ok", content_type="text/plain")


staff_bare = staff_view(Can.SEE_QUEUE)(bare)

urlpatterns = [
    path("bench/bare", bare),
    path("bench/staff-bare", staff_bare),
    *app_urlpatterns,
]
