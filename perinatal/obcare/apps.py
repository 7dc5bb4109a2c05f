from django.apps import AppConfig


class ObcareConfig(AppConfig):
    name = "perinatal.obcare"
    verbose_name = "Coordination with the OB"

    def ready(self):
        from perinatal.audit.log import track
        from perinatal.obcare.models import CarePlanLetter, LetterEvent

        track(CarePlanLetter, patient="patient_id")
        track(LetterEvent, patient="letter.patient_id")
