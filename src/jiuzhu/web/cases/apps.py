from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiuzhu.web.cases"
    label = "cases"
    verbose_name = "救助申请与审核确认"
