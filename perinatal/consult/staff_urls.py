from django.urls import path

from perinatal.consult import views

app_name = "consult"
urlpatterns = [
    path("patients/<uuid:public_id>/consultations/new/", views.new, name="new"),
    path("consultations/<uuid:public_id>/", views.note, name="note"),
    path("consultations/<uuid:public_id>/sign/", views.sign, name="sign"),
    path("consultations/<uuid:public_id>/addendum/", views.addendum, name="addendum"),
]
