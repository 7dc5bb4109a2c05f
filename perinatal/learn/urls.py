from django.urls import path

from perinatal.learn import views

app_name = "learn"

urlpatterns = [
    path("", views.home, name="home"),
    path("ketamine-for-postpartum-depression/", views.programme, name="programme"),
]
