from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "perinatal.consents"
    verbose_name = "Consents"

    def ready(self):
        from perinatal.audit.log import track
        from perinatal.consents.models import ConsentRequest, ConsentWithdrawal, SignedConsent

        track(ConsentRequest, patient="patient_id")
        track(SignedConsent, patient="patient_id")
        track(ConsentWithdrawal, patient="patient_id")
