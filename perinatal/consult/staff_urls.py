from django.urls import path

from perinatal.consult import views

app_name = "consult"
urlpatterns = [
    path("patients/<uuid:public_id>/consultations/new/", views.new, name="new"),
    path("consultations/<int:pk>/", views.note, name="note"),
    path("consultations/<int:pk>/sign/", views.sign, name="sign"),
    path("consultations/<int:pk>/addendum/", views.addendum, name="addendum"),
]
