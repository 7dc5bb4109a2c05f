from django.urls import path

from perinatal.followup import progress, views

app_name = "followup"

urlpatterns = [
    path("how-are-you/<str:token>/", views.answer, name="answer"),
    path("how-are-you/<str:token>/progress/", progress.progress, name="progress"),
]
