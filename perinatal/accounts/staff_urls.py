from django.urls import path

from perinatal.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.second_factor, name="second_factor"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("audit/", views.audit, name="audit"),
]
