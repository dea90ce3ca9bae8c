from django.apps import AppConfig


class EntitlementsConfig(AppConfig):
    name = "jiuzhu.web.entitlements"
    label = "entitlements"
    verbose_name = "救助待遇与动态管理"

    def ready(self) -> None:
        # A registry change opens the matching check (registry.signals.household_changed); a
        # confirmed approval grants its entitlement (cases.signals.decision_confirmed).
        from jiuzhu.web.entitlements import receivers  # noqa: F401, PLC0415
