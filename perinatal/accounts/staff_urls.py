from django.urls import path

from perinatal.accounts import account_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.second_factor, name="second_factor"),
    path("sign-in/authenticator/", views.enrol, name="enrol"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("account/", account_views.account, name="account"),
    path("account/recovery-codes/", account_views.new_recovery_codes, name="recovery_codes"),
]
