from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "perinatal.accounts"
    verbose_name = "Staff accounts"

    def ready(self):
        from perinatal.accounts import events

        events.connect()


class StaffAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the staff sign-in's rules on its default site; named in
    INSTALLED_APPS in the admin's place."""

    default = False  # not the configuration of "perinatal.accounts"
    default_site = "perinatal.accounts.admin_access.StaffAdminSite"
