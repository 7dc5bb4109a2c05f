from django.urls import path

from perinatal.obcare import views

app_name = "obcare"
urlpatterns = [
    path("obs/", views.directory, name="directory"),
]
