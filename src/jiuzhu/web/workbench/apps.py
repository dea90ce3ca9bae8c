from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "jiuzhu.web.workbench"
    label = "workbench"
    verbose_name = "工作台"
