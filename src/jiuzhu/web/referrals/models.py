"""Referrals to legal aid (法律援助) and judicial assistance (司法救助): civil affairs grants
neither; it refers a household member and states whether they are exempt from the
economic-hardship check (《中华人民共和国法律援助法》第四十二条), as the rules decide it on the
day (``legal_aid_check_waived``). One record per referral, with the letter's facts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.registry.models import Household, Person


class Kind(models.TextChoices):
    LEGAL_AID = "legal_aid", _("法律援助")
    JUDICIAL_ASSISTANCE = "judicial_assistance", _("司法救助")


class Referral(models.Model):
    """One referral of a member to the body that decides legal aid or judicial assistance."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    kind = models.CharField(_("转介事项"), max_length=24, choices=Kind.choices)
    matter = models.TextField(_("需要帮助的事项"))
    receiving_body = models.CharField(_("接收机构"), max_length=100)
    assistance_certified = models.BooleanField(
        _("持有其他社会救助、司法救助或优抚对象证明"), default=False
    )
    no_fixed_livelihood = models.BooleanField(_("无固定生活来源"), default=False)
    migrant_worker_claim = models.BooleanField(
        _("进城务工人员请求支付劳动报酬或工伤赔偿"), default=False
    )
    check_waived = models.BooleanField(
        _("免予核查经济困难状况"), null=True, help_text=_("按转介当日的规则认定；空白为待定")
    )
    reasons = models.TextField(_("认定理由"))
    referred_on = models.DateField(_("转介日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-referred_on", "-pk")
        verbose_name = _("转介")
        verbose_name_plural = _("转介")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.referred_on}"
