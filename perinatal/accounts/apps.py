from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "perinatal.accounts"
    verbose_name = "Staff accounts"

    def ready(self):
        from perinatal.accounts import events

        events.connect()
