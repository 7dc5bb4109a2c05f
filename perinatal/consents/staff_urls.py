from django.urls import path

from perinatal.consents import staff_views

app_name = "consents"

urlpatterns = [
    path("patients/<uuid:public_id>/consents/", staff_views.patient_consents, name="patient"),
    path("patients/<uuid:public_id>/consents/send/", staff_views.send, name="send"),
    path(
        "patients/<uuid:public_id>/consents/tablet-done/",
        staff_views.tablet_done,
        name="tablet_done",
    ),
    path("consents/<uuid:public_id>/print/", staff_views.printable, name="printable"),
    path("consents/requests/<uuid:public_id>/stop/", staff_views.stop_asking, name="stop_asking"),
    path("consents/<uuid:public_id>/withdraw/", staff_views.withdraw, name="withdraw"),
]
