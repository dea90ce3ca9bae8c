from django.apps import AppConfig
from django.core import checks

from jiuzhu.web.core.crypto import check_keys


class CoreConfig(AppConfig):
    name = "jiuzhu.web.core"
    label = "core"
    verbose_name = "公共"

    def ready(self) -> None:
        # Says so whenever the demo's public keys seal personal data (runserver, migrate, check).
        checks.register(check_keys)
