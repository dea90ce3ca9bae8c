"""Applications and their statutory workflow (《最低生活保障审核确认办法》（民发〔2021〕57号）; 《特困人员认定办法》（民发〔2021〕43号）).

An ``Application`` moves through the stages of ``Stage`` by the actions of
``jiuzhu.web.cases.actions`` only; each move is an ``ApplicationEvent`` and an audit event.
Deadlines are working days (``jiuzhu.web.workcalendar``) from acceptance and from the district's
receipt of the file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.programs import program_choices
from jiuzhu.web.registry.models import Household, Person


class Stage(models.TextChoices):
    """The statutory steps (DESIGN.md §6)."""

    AWAITING_MATERIALS = "awaiting_materials", _("待补齐材料")
    ACCEPTED = "accepted", _("已受理")
    HOME_VISIT = "home_visit", _("入户调查")
    TOWNSHIP_REVIEW = "township_review", _("乡镇审核")
    PUBLIC_NOTICE = "public_notice", _("公示中")
    OBJECTION_REVIEW = "objection_review", _("异议复核")
    DISTRICT_CONFIRMATION = "district_confirmation", _("区级审核确认")
    APPROVED = "approved", _("确认同意")
    REJECTED = "rejected", _("不予确认")
    TERMINATED = "terminated", _("终止办理")


OPEN_STAGES = frozenset(
    {
        Stage.AWAITING_MATERIALS,
        Stage.ACCEPTED,
        Stage.HOME_VISIT,
        Stage.TOWNSHIP_REVIEW,
        Stage.PUBLIC_NOTICE,
        Stage.OBJECTION_REVIEW,
        Stage.DISTRICT_CONFIRMATION,
    }
)


class Channel(models.TextChoices):
    COUNTER = "counter", _("窗口受理")
    ON_BEHALF = "on_behalf", _("代为申请")
    ONLINE = "online", _("网上申请")


class Opinion(models.TextChoices):
    APPROVE = "approve", _("拟同意")
    REJECT = "reject", _("拟不同意")


class SinglePersonChoice(models.TextChoices):
    HOUSEHOLD_NEAR_DIBAO = "household_near_dibao", _("整户享受低保边缘救助")
    SINGLE_PERSON_UNIT = "single_person_unit", _("重残重病成员单人户纳入低保")


class Application(models.Model):
    """一次救助申请: one program for one household, from the counter to the decision notice."""

    number = models.CharField(_("申请编号"), max_length=24, unique=True)
    program = models.CharField(_("救助项目"), max_length=24, choices=program_choices)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="applications")
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    channel = models.CharField(_("申请方式"), max_length=16, choices=Channel.choices)
    stage = models.CharField(_("办理环节"), max_length=24, choices=Stage.choices, db_index=True)
    authorisation_signed = models.BooleanField(_("已签署授权核对书"), default=False)
    undertaking_signed = models.BooleanField(_("已签署承诺书"), default=False)
    materials = models.JSONField(_("已提交材料"), default=list)
    missing_materials = models.JSONField(_("一次性告知缺少的材料"), default=list)
    separately_registered = models.BooleanField(
        _("近亲属备案"),
        default=False,
        help_text=_("成员为经办人员或村（居）委会成员的近亲属：单独登记备案，必须入户调查"),
    )
    relative_note = models.CharField(_("近亲属关系说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    extended = models.BooleanField(_("特殊情况延长办理期限"), default=False)
    extension_reason = models.CharField(_("延长理由"), max_length=200, blank=True)
    district_received_on = models.DateField(_("区级收到材料日期"), null=True, blank=True)
    opinion = models.CharField(_("乡镇审核意见"), max_length=8, choices=Opinion.choices, blank=True)
    opinion_note = models.TextField(_("审核意见说明"), blank=True)
    single_person_choice = models.CharField(
        _("单人户选择"), max_length=24, choices=SinglePersonChoice.choices, blank=True
    )
    notice_starts_on = models.DateField(_("公示开始"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示结束"), null=True, blank=True)
    spot_check_selected = models.BooleanField(_("抽查核实"), default=False)
    spot_check_note = models.TextField(_("抽查核实情况"), blank=True)
    proposed_outcome = models.CharField(
        _("拟确认结果"), max_length=8, choices=Opinion.choices, blank=True
    )
    proposed_amount = models.BigIntegerField(_("拟确认月救助金（分）"), null=True, blank=True)
    proposed_reasons = models.TextField(_("拟确认理由"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("确认日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    monthly_amount = models.BigIntegerField(_("月救助金（分）"), null=True, blank=True)
    first_paid_month = models.CharField(_("起始发放月份"), max_length=7, blank=True)
    decision_reasons = models.TextField(_("决定理由"), blank=True)
    notice_issued_on = models.DateField(_("决定通知书送达日期"), null=True, blank=True)
    reassessment_due = models.BooleanField(
        _("登记信息变更待重新评估"),
        default=False,
        help_text=_("评估后家庭登记信息有变更：须重新评估后才能提出审核意见或确认"),
    )
    reassessment_note = models.TextField(_("登记信息变更情况"), blank=True)
    # 先行救助 (temporary assistance): helped first, the paperwork completed by the due day.
    fast_path = models.BooleanField(_("先行救助"), default=False)
    emergency = models.TextField(_("急难情况"), blank=True)
    followup_due_on = models.DateField(_("补办手续期限"), null=True, blank=True)
    helped_amount = models.BigIntegerField(_("先行救助金额（分）"), null=True, blank=True)
    # What the application tells the rules itself (cases.inputs): the decedent of a funeral
    # claim, the heating fee, a settlement's own costs, temporary assistance's type.
    program_inputs = models.JSONField(_("申请填报事项"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("救助申请")
        verbose_name_plural = _("救助申请")
        indexes = [models.Index(fields=["division_code", "stage"])]
        constraints = [
            # One open application per household and program (a partial unique index): two
            # clerks registering at the same instant cannot both succeed, whatever the code.
            models.UniqueConstraint(
                fields=["household", "program"],
                condition=models.Q(stage__in=sorted(s.value for s in OPEN_STAGES)),
                name="one_open_application_per_program",
                violation_error_message=_("该家庭已有同一项目的在办申请"),
            )
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationEvent(models.Model):
    """One step of an application: the move, who made it, when, and what they recorded."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("操作"), max_length=40)
    from_stage = models.CharField(max_length=24, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=24, choices=Stage.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("at", "id")


class HomeVisit(models.Model):
    """入户调查: at least two staff (Art. 16), the form signed by them and the applicant."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="home_visits"
    )
    visited_on = models.DateField(_("调查日期"))
    staff = models.JSONField(_("调查人员"))
    applicant_signed = models.BooleanField(_("申请人已签字"), default=False)
    findings = models.TextField(_("调查情况"))
    living_conditions_match = models.BooleanField(_("实际生活状况与申报相符"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)


class Objection(models.Model):
    """An objection during the public notice, and how it was resolved (Art. 19)."""

    class Method(models.TextChoices):
        REINVESTIGATION = "reinvestigation", _("重新调查")
        COMMUNITY_REVIEW = "community_review", _("民主评议")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="objections"
    )
    received_on = models.DateField(_("收到日期"))
    content = models.TextField(_("异议内容"))
    method = models.CharField(_("处理方式"), max_length=20, choices=Method.choices, blank=True)
    outcome = models.TextField(_("处理结果"), blank=True)
    upheld = models.BooleanField(_("异议成立"), null=True)
    resolved_on = models.DateField(_("处理日期"), null=True, blank=True)


class Assessment(models.Model):
    """The rules engine's result for the application's household on its data at one moment."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assessments"
    )
    ran_at = models.DateTimeField(auto_now_add=True)
    on_date = models.DateField(_("评估日期"))
    basis = models.CharField(_("数据依据"), max_length=12)
    results = models.JSONField(_("各项目结果"))
    explanation = models.TextField(_("认定说明"))
    parameter_digest = models.CharField(max_length=64)
    members = models.JSONField(
        _("成员认定"),
        default=list,
        help_text="per current member: person pk and the rules' membership results",
    )

    class Meta:
        ordering = ("-ran_at", "-id")
