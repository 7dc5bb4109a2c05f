from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "perinatal.accounts"
    verbose_name = "Staff accounts"
