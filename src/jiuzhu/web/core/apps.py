from django.apps import AppConfig
from django.core import checks

from jiuzhu.web.core.crypto import check_keys


class CoreConfig(AppConfig):
    name = "jiuzhu.web.core"
    label = "core"
    verbose_name = "公共"

    def ready(self) -> None:
        # Says so when a deployment is checked (check --deploy) while the public development
        # keys seal personal data; not on every command of the demo and the tests, whose one-line
        # messages (an unreachable database, say) it would bury.
        checks.register(check_keys, deploy=True)
