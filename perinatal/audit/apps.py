from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "perinatal.audit"
    verbose_name = "Audit log"

    def ready(self):
        from perinatal.audit import checks  # noqa: F401 (registers itself)
