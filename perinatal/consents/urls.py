from django.urls import path

from perinatal.consents import views

app_name = "consent"

urlpatterns = [
    path("consent/<str:token>/", views.sign, name="sign"),
    path("consent/<str:token>/done/", views.done, name="done"),
    path("consent/<str:token>/copy/", views.copy, name="copy"),
]
