from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "perinatal.booking"
    label = "booking"
    verbose_name = "Booking"

    def ready(self):
        from perinatal.booking import reminders
        from perinatal.notify.preconditions import register

        register("appointment", reminders.still_wanted)
