from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "jiuzhu.web.scenarios"
    verbose_name = "测算方案"
