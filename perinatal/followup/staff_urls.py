from django.urls import path

from perinatal.followup import views

app_name = "followup_staff"

urlpatterns = [
    path(
        "patients/<uuid:public_id>/follow-up/handled/",
        views.handled,
        name="handled",
    ),
]
