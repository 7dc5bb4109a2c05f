from django.urls import path

from perinatal.patients import views

app_name = "patients"
urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("patients/", views.search, name="search"),
]
