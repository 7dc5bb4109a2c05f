from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "perinatal.screening"
    verbose_name = "Self-screen"

    def ready(self):
        from perinatal.screening.instruments import load_all

        load_all()  # fail at start-up, not on a mother's phone, when a data file is broken

        from perinatal.audit.log import track
        from perinatal.screening.models import CallbackRequest, Screening

        track(Screening, patient="patient_id")
        track(CallbackRequest, patient="patient_id")
