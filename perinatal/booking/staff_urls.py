from django.urls import path

from perinatal.booking import staff_views

app_name = "schedule"
urlpatterns = [
    path("appointments/<uuid:public_id>/", staff_views.appointment, name="appointment"),
    path("appointments/<uuid:public_id>/confirm/", staff_views.confirm, name="confirm"),
    path("appointments/<uuid:public_id>/move/", staff_views.move, name="move"),
    path("appointments/<uuid:public_id>/cancel/", staff_views.cancel, name="cancel"),
    path(
        "appointments/<uuid:public_id>/close-urgent/", staff_views.close_urgent, name="close_urgent"
    ),
]
