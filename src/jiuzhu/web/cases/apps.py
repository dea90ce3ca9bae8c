from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiuzhu.web.cases"
    label = "cases"
    verbose_name = "救助申请与审核确认"

    def ready(self) -> None:
        # A registry change marks an assessed open application (registry.signals).
        from jiuzhu.web.cases import receivers  # noqa: F401, PLC0415
