from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiuzhu.web.core"
    label = "core"
    verbose_name = "公共"
