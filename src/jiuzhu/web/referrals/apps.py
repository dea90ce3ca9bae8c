from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "jiuzhu.web.referrals"
    label = "referrals"
    verbose_name = "法律援助和司法救助转介"
