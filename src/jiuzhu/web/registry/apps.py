from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jiuzhu.web.registry"
    label = "registry"
    verbose_name = "救助对象信息"
