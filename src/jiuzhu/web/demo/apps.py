from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "jiuzhu.web.demo"
    label = "demo"
    verbose_name = "演示"
