from django.urls import path

from perinatal.booking import staff_views

app_name = "schedule"
urlpatterns = [
    path("appointments/<int:pk>/", staff_views.appointment, name="appointment"),
]
