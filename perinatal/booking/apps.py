from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "perinatal.booking"
    label = "booking"
    verbose_name = "Booking"

    def ready(self):
        from perinatal.audit.log import track
        from perinatal.booking import checks  # noqa: F401 (registers itself)
        from perinatal.booking.models import Appointment, AppointmentEvent, ManageLink

        track(Appointment, patient="patient_id")
        track(AppointmentEvent, patient="appointment.patient_id")
        track(ManageLink, patient="appointment.patient_id")
