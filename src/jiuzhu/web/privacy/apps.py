from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PrivacyConfig(AppConfig):
    name = "jiuzhu.web.privacy"
    label = "privacy"
    verbose_name = "个人信息保护"
    default = True


class MaskedAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the masking site as ``admin.site`` (Django's documented way
    to replace the default site): every app's ``admin.py`` registers on it unchanged."""

    default = False
    default_site = "jiuzhu.web.privacy.admin_site.MaskedAdminSite"
