from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "perinatal.ops"
    verbose_name = "Operations"

    def ready(self):
        from perinatal import checks  # noqa: F401  (registers the production checks)
