from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "perinatal.audit"
    verbose_name = "Audit log"
