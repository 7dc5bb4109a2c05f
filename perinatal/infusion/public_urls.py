from django.urls import path

from perinatal.infusion import after

app_name = "after"

urlpatterns = [path("after-your-infusion/<str:token>/", after.check, name="check")]
