from django.apps import AppConfig


class LocalValuesConfig(AppConfig):
    name = "jiuzhu.web.localvalues"
    label = "localvalues"
    verbose_name = "本地值"
