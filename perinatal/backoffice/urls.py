from django.urls import path

from perinatal.backoffice import audit, views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("callbacks/<uuid:public_id>/", views.callback, name="callback"),
    path("patients/", views.search, name="search"),
    path("patients/<uuid:public_id>/", views.chart, name="chart"),
    path("patients/<uuid:public_id>/edit/", views.edit, name="edit"),
    path("patients/<uuid:public_id>/access/", audit.patient_history, name="patient_history"),
    path("merges/", views.merges, name="merges"),
    path("merges/<uuid:public_id>/", views.merge, name="merge"),
    path("audit/", audit.audit, name="audit"),
    path("audit/export/", audit.export, name="audit_export"),
]
