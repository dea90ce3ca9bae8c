from django.apps import AppConfig


class PlanConfig(AppConfig):
    name = "jiuzhu.web.plan"
    label = "plan"
    verbose_name = "规划指标"
