from django.urls import path

from perinatal.screening import views

app_name = "screening"

urlpatterns = [
    path("check/", views.check, name="check"),
    path("check/result/", views.result, name="result"),
    path("call-back/", views.callback, name="callback"),
    path("call-back/thanks/", views.callback_thanks, name="callback_thanks"),
    path("help-now/", views.help_now, name="help_now"),
]
