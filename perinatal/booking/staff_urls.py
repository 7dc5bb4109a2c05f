from django.urls import path

from perinatal.booking import staff_views

app_name = "schedule"
urlpatterns = [
    path("appointments/<int:pk>/", staff_views.appointment, name="appointment"),
    path("appointments/<int:pk>/confirm/", staff_views.confirm, name="confirm"),
    path("appointments/<int:pk>/move/", staff_views.move, name="move"),
    path("appointments/<int:pk>/cancel/", staff_views.cancel, name="cancel"),
    path("appointments/<int:pk>/close-urgent/", staff_views.close_urgent, name="close_urgent"),
]
