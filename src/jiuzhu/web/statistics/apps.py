from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "jiuzhu.web.statistics"
    label = "statistics"
    verbose_name = "统计报表"
