from django.apps import AppConfig


class EntitlementsConfig(AppConfig):
    name = "jiuzhu.web.entitlements"
    label = "entitlements"
    verbose_name = "救助待遇与动态管理"
