"""Relief of homeless people and beggars (流浪乞讨人员救助): one record per stay at the rescue
station — who (often without documents: described instead), where they were found, the
services given, the family contacted, and how the stay ended (return home with a ticket,
resettlement by the hukou government, or leaving at will).

《城市生活无着的流浪乞讨人员救助管理办法》（国务院令第381号）: help is temporary and voluntary —
food, lodging, emergency medical care, contact with family or employer, a ticket home; the
station may not keep anyone against their will. Its implementing rules keep a stay normally
within 10 days (``procedure.homeless_relief.stay_days``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.fields import SealedCharField, SealedModel


class Service(models.TextChoices):
    FOOD = "food", _("提供饮食")
    LODGING = "lodging", _("提供住处")
    MEDICAL = "medical", _("急病送医救治")
    CONTACT = "contact", _("联系亲属或所在单位")
    TICKET = "ticket", _("提供返乡乘车凭证")


class StayStatus(models.TextChoices):
    STAYING = "staying", _("在站受助")
    RETURNED = "returned", _("已返乡")
    RESETTLED = "resettled", _("已转户籍地安置")
    LEFT = "left", _("自愿离站")


class Stay(SealedModel):
    """One stay at the rescue station."""

    division_code = models.CharField(
        _("发现地村（居）或乡镇区划代码"), max_length=12, db_index=True
    )
    name = models.CharField(_("姓名（自述或查明）"), max_length=50, blank=True)
    resident_id = SealedCharField(_("公民身份号码（如有）"), max_length=18, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=[("1", _("男")), ("2", _("女"))])
    apparent_age = models.PositiveSmallIntegerField(_("年龄（约）"), null=True, blank=True)
    description = models.TextField(
        _("体貌特征"), help_text=_("身高、体态、衣着、口音、疤痕等，便于无证件人员查找亲属")
    )
    found_at = models.CharField(_("发现地点"), max_length=200)
    arrived_on = models.DateField(_("入站日期"))
    leave_due_on = models.DateField(_("救助期限"))
    extension_reason = models.CharField(_("超期说明"), max_length=200, blank=True)
    services = models.JSONField(_("救助服务"), default=list)
    family_contact = models.TextField(_("亲属或所在单位联系情况"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=StayStatus.choices, default=StayStatus.STAYING
    )
    left_on = models.DateField(_("离站日期"), null=True, blank=True)
    destination = models.CharField(_("返乡目的地或安置地"), max_length=200, blank=True)
    ticket = models.CharField(_("乘车凭证"), max_length=100, blank=True)
    referred_to = models.CharField(_("转户籍地安置接收单位"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("流浪乞讨人员救助记录")
        verbose_name_plural = _("流浪乞讨人员救助记录")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(leave_due_on__gte=models.F("arrived_on")),
                name="stay_due_after_arrival",
            )
        ]

    def __str__(self) -> str:
        return self.name or str(_("无名氏"))
