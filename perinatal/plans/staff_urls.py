from django.urls import path

from perinatal.plans import views

app_name = "plans"
urlpatterns = [
    path("patients/<uuid:public_id>/plans/new/", views.new_plan, name="new"),
    path("plans/<uuid:public_id>/", views.plan, name="plan"),
]
