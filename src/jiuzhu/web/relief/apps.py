from django.apps import AppConfig


class ReliefConfig(AppConfig):
    name = "jiuzhu.web.relief"
    label = "relief"
    verbose_name = "流浪乞讨人员救助"
