from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "jiuzhu.web.discovery"
    label = "discovery"
    verbose_name = "主动发现与预警"

    def ready(self) -> None:
        # Deadlines stored without a calendar year are counted when it is entered; alerts and
        # the low-income register follow applications and decisions (cases.signals).
        from jiuzhu.web.discovery import receivers  # noqa: F401, PLC0415
