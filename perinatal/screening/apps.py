from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "perinatal.screening"
    verbose_name = "Self-screen"

    def ready(self):
        from perinatal.screening.instruments import load_all

        load_all()  # fail at start-up, not on a mother's phone, when a data file is broken
