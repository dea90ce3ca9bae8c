from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jiuzhu.web.accounts"
    label = "accounts"
    verbose_name = "用户与辖区"

    def ready(self) -> None:
        # Registers every permission rule (deny by default: an unregistered permission is false),
        # and the audit of log-ins, failed attempts, lockouts and log-outs (issue 12).
        from jiuzhu.web.accounts import permissions, receivers  # noqa: F401, PLC0415
