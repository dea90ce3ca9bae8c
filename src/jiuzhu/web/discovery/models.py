"""The low-income population register, discovery runs, alerts and their home visits.

* ``RegisterEntry`` — one person in the low-income population register (低收入人口库,
  《关于加强低收入人口动态监测做好分层分类社会救助工作的意见》（国办函〔2023〕39号）) for one reason: a recipient of dibao, tekun or near-dibao assistance, a member of
  a rigid-expenditure hardship household, or a monitored person (an application rejected or an
  entitlement ended in the last year). Kept current by ``actions.refresh_register`` from the
  platform's own decisions; an entry that no longer holds is ended, never deleted.
* ``DiscoveryRun`` — one month's run: counts of alerts found, new and already known.
* ``Alert`` — one alert of the catalogue (``jiuzhu.batch.pipelines.discover``), routed to its
  owning division (``division_code``: a community, a township or the district), unique by
  ``alert_key`` so that re-running a month writes nothing twice (docs/decisions/0007).
* ``AlertVisit`` — a home visit (入户核实) of an alert, by at least two staff.

An alert's stages and moves are the transition table ``workflow.ALERT``: open → assigned →
visited → an outcome; "included in assistance" (纳入救助) waits for the household's application
(``awaiting_application``) and closes when it is registered and linked.

Dates are dates (Asia/Shanghai); months ``YYYY-MM``; money integer fen.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.cases.models import Application
from jiuzhu.web.core.programs import program_choices
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.jobs.models import Job
from jiuzhu.web.registry.models import Household, Person


class RegisterCategory(models.TextChoices):
    """Why a person is in the register (REGISTER_SCHEMA ``category``)."""

    DIBAO = "dibao", _("低保对象")
    TEKUN = "tekun", _("特困人员")
    NEAR_DIBAO = "near_dibao", _("低保边缘家庭成员")
    RIGID_EXPENDITURE = "rigid_expenditure", _("刚性支出困难家庭成员")
    MONITORED = "monitored", _("其他监测对象")


class RegisterEntry(models.Model):
    """One person in the register for one reason (``key``: the decision it comes from and the
    person, e.g. ``entitlement:12:person:345``; ``import:<resident ID>:<category>`` for an
    entry loaded from a register file), from ``included_on`` until ``ends_on`` (exclusive;
    blank: open-ended). An entry the platform's decisions no longer support gets ``ends_on`` =
    the day of the refresh that noticed it; imported entries are left to their own dates."""

    key = models.CharField(max_length=64, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="register_entries")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="register_entries"
    )
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    township_code = models.CharField(_("乡镇（街道）区划代码"), max_length=9, db_index=True)
    category = models.CharField(_("类别"), max_length=24, choices=RegisterCategory.choices)
    receiving = models.BooleanField(_("正在享受救助"), default=False)
    reason = models.CharField(_("纳入原因"), max_length=200)
    included_on = models.DateField(_("纳入日期"))
    ends_on = models.DateField(
        _("退出日期"), null=True, blank=True, help_text=_("该日起不再在库（不含）")
    )
    entitlement = models.ForeignKey(
        Entitlement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_due = models.DateField(_("下次核查期限"), null=True, blank=True)
    rigid_valid_until = models.DateField(_("刚性支出困难认定有效期至"), null=True, blank=True)
    monthly_amount = models.BigIntegerField(_("家庭月救助金（分）"), null=True, blank=True)
    # Allowances: the disability ones are the disabled persons' federation's, known from an
    # imported register (false otherwise); the platform pays the orphan and children-in-hardship
    # allowances itself, and a refresh sets them from its entitlements.
    disability_living_allowance = models.BooleanField(_("享受困难残疾人生活补贴"), default=False)
    disability_care_allowance = models.BooleanField(_("享受重度残疾人护理补贴"), default=False)
    orphan_allowance = models.BooleanField(_("享受孤儿或事实无人抚养儿童基本生活费"), default=False)
    children_in_hardship_allowance = models.BooleanField(_("享受困境儿童基本生活费"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("division_code", "household_id", "person_id")
        verbose_name = _("低收入人口库成员")
        verbose_name_plural = _("低收入人口库")
        indexes = [models.Index(fields=["category", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.category}"

    @property
    def reason_detail(self) -> str:
        """The reason, unless it only repeats the category (as an imported entry's does)."""
        with translation.override(settings.LANGUAGE_CODE):
            plain = str(RegisterCategory(self.category).label) if self.category else ""
        return "" if self.reason == plain else self.reason


class AlertCategory(models.TextChoices):
    DISCOVERY = "discovery", _("主动发现")
    NEEDS = "needs", _("需求预警")
    DYNAMIC_MANAGEMENT = "dynamic_management", _("动态管理")
    POLICY_DELIVERY = "policy_delivery", _("政策落实")


class Severity(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class OwnerLevel(models.TextChoices):
    COMMUNITY = "community", _("村（居）")
    TOWNSHIP = "township", _("乡镇（街道）")
    DISTRICT = "district", _("区")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ASSIGNED = "assigned", _("已分派")
    VISITED = "visited", _("已入户核实")
    AWAITING_APPLICATION = "awaiting_application", _("待受理申请")
    CLOSED = "closed", _("已办结")


OPEN_STATUSES = frozenset(
    {
        AlertStatus.OPEN,
        AlertStatus.ASSIGNED,
        AlertStatus.VISITED,
        AlertStatus.AWAITING_APPLICATION,
    }
)


class Outcome(models.TextChoices):
    INCLUDED = "included", _("纳入救助")
    REFERRED = "referred", _("转介其他部门")
    DISMISSED = "dismissed", _("不予处理")


class Department(models.TextChoices):
    """Where an alert may be referred (社会救助暂行办法 Art. 5: the departments of the assistance
    system)."""

    HEALTH_INSURANCE = "health_insurance", _("医疗保障部门（医疗救助）")
    HUMAN_RESOURCES = "human_resources", _("人力资源社会保障部门（就业援助）")
    EDUCATION = "education", _("教育部门（教育资助）")
    HOUSING = "housing", _("住房城乡建设部门（住房救助）")
    DISABLED_PERSONS = "disabled_persons", _("残疾人联合会")
    CHILD_WELFARE = "child_welfare", _("儿童福利（民政儿童工作）")
    ELDERLY_CARE = "elderly_care", _("养老服务（民政养老工作）")
    CHARITY = "charity", _("慈善组织和社会力量")
    OTHER = "other", _("其他")


class DiscoveryRun(models.Model):
    """One discovery run over a month's data (``YYYY-MM``), started by a user or the command."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    month = models.CharField(_("月份"), max_length=7)
    division_code = models.CharField(_("范围区划代码"), max_length=12)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    job = models.OneToOneField(
        Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="discovery_run"
    )
    feeds_folder = models.CharField(_("部门数据目录"), max_length=500, blank=True)
    feeds = models.JSONField(_("读取的部门数据"), default=dict, blank=True)
    register_size = models.PositiveIntegerField(_("低收入人口库人数"), default=0)
    found = models.PositiveIntegerField(_("本次发现预警"), default=0)
    created = models.PositiveIntegerField(_("新增预警"), default=0)
    already_open = models.PositiveIntegerField(_("已有未办结预警"), default=0)
    already_closed = models.PositiveIntegerField(_("已办结预警"), default=0)
    tasks_opened = models.PositiveIntegerField(_("新开核查任务"), default=0)
    out_of_scope = models.PositiveIntegerField(_("范围外预警"), default=0)
    seconds = models.FloatField(_("用时（秒）"), default=0)
    message = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("主动发现运行")
        verbose_name_plural = _("主动发现运行")

    def __str__(self) -> str:
        return f"{self.month} #{self.pk}"


class Alert(models.Model):
    """One alert (预警) in ALERT_SCHEMA, routed to ``division_code`` (the owning community,
    township or district). It is visible to users whose jurisdiction covers that division and
    to the user it is assigned to; it is closed by an outcome after a home visit — for
    "included in assistance", once the application it asks for is registered (``application``).

    ``due_on`` is the deadline of the visit and outcome (the signal's working days from
    ``raised_on``); ``application_due_on`` that of the application once the outcome is
    "included" (``workflow.APPLICATION_WORKING_DAYS`` from ``concluded_on``). Either is null
    while the year it falls in has no calendar (shown as "缺 2027 年日历"; counted when the year
    is entered, ``actions.deadlines``): never overdue then."""

    alert_key = models.CharField(_("预警标识"), max_length=200, unique=True)
    signal = models.CharField(_("预警信号"), max_length=64, db_index=True)
    category = models.CharField(_("类别"), max_length=24, choices=AlertCategory.choices)
    severity = models.CharField(_("紧急程度"), max_length=8, choices=Severity.choices)
    owner_level = models.CharField(_("责任层级"), max_length=12, choices=OwnerLevel.choices)
    division_code = models.CharField(_("责任区划代码"), max_length=12, db_index=True)
    township_code = models.CharField(_("乡镇（街道）区划代码"), max_length=9, db_index=True)
    month = models.CharField(_("数据月份"), max_length=7)
    household = models.ForeignKey(
        Household,
        verbose_name=_("家庭"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
    )
    household_key = models.CharField(_("家庭编号"), max_length=20, blank=True)
    resident_key = models.CharField(_("公民身份号码"), max_length=18, blank=True)
    adverse = models.BooleanField(
        _("可能影响现有待遇"), default=False, help_text=_("只开核查任务，不自动调整待遇")
    )
    deadline_working_days = models.PositiveSmallIntegerField(_("处理时限（工作日）"))
    due_on = models.DateField(
        _("处理期限"),
        db_index=True,
        null=True,
        blank=True,
        help_text=_("空：期限所在年份缺工作日历，录入该年日历后自动计算"),
    )
    evidence = models.JSONField(_("依据"), default=dict)
    explanation_zh = models.TextField(_("说明（中文）"))
    explanation_en = models.TextField(_("说明（英文）"), blank=True)
    status = models.CharField(
        _("状态"), max_length=24, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    run = models.ForeignKey(
        DiscoveryRun,
        verbose_name=_("主动发现运行"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    raised_on = models.DateField(_("预警日期"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("分派给"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_alerts",
    )
    assigned_on = models.DateField(_("分派日期"), null=True, blank=True)
    outcome = models.CharField(_("处理结果"), max_length=12, choices=Outcome.choices, blank=True)
    program = models.CharField(
        _("纳入救助项目"), max_length=24, choices=program_choices, blank=True
    )
    referred_to = models.CharField(
        _("转介部门"), max_length=24, choices=Department.choices, blank=True
    )
    outcome_note = models.TextField(_("处理说明"), blank=True)
    concluded_on = models.DateField(_("处理结果日期"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    application_due_on = models.DateField(_("申请受理期限"), null=True, blank=True)
    application = models.ForeignKey(
        Application,
        verbose_name=_("由此受理的申请"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        # Unknown deadlines (a missing calendar year) last, on SQLite as on PostgreSQL.
        ordering = (models.F("due_on").asc(nulls_last=True), "id")
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        indexes = [
            models.Index(fields=["division_code", "status"]),
            models.Index(fields=["status", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="dismissed") | ~models.Q(outcome_note=""),
                name="dismissal_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.alert_key

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def deadline(self) -> dt.date | None:
        """The date the current stage is due by: the application's deadline while it is
        awaited, else the alert's; None once closed."""
        if self.status == AlertStatus.AWAITING_APPLICATION:
            return self.application_due_on
        return self.due_on if self.is_open else None


class AlertVisit(models.Model):
    """入户核实: a visit that checks an alert — who went (at least two staff, like an
    application's home visit: 最低生活保障审核确认办法 第十六条), when, and what they found."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("核实日期"))
    staff = models.JSONField(_("核实人员"))
    findings = models.TextField(_("核实情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("visited_on", "id")
        verbose_name = _("入户核实记录")
        verbose_name_plural = _("入户核实记录")
