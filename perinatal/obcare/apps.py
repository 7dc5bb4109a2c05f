from django.apps import AppConfig


class ObcareConfig(AppConfig):
    name = "perinatal.obcare"
    verbose_name = "Coordination with the OB"

    def ready(self):
        from perinatal.audit.log import track
        from perinatal.obcare import checks  # noqa: F401  (registers its system check)
        from perinatal.obcare.models import CarePlanLetter, LetterEvent, PatientOb
        from perinatal.obcare.services import ob_from_booking, ob_on_merge
        from perinatal.patients import signals

        track(PatientOb, patient="patient_id")
        track(CarePlanLetter, patient="patient_id")
        track(LetterEvent, patient="letter.patient_id")
        signals.started_from_booking.connect(ob_from_booking, dispatch_uid="obcare-booking")
        signals.merging.connect(ob_on_merge, dispatch_uid="obcare-merge")
