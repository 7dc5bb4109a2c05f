from django.urls import path

from perinatal.followup import views

app_name = "followup"

urlpatterns = [path("how-are-you/<str:token>/", views.answer, name="answer")]
