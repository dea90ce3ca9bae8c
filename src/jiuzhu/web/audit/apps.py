from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jiuzhu.web.audit"
    label = "audit"
    verbose_name = "审计日志"
