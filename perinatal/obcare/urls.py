"""What an OB opens from a letter's email: no sign-in, the link's token is the key."""

from django.urls import path

from perinatal.obcare import views

app_name = "ob"
urlpatterns = [
    path("letters/<str:token>/", views.ob_letter, name="letter"),
    path("letters/<str:token>/acknowledge/", views.ob_acknowledge, name="acknowledge"),
    path("letters/<str:token>/answer/", views.ob_respond, name="respond"),
    path("letters/<str:token>/letter.pdf", views.ob_letter_pdf, name="letter_pdf"),
]
