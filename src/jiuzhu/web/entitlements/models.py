"""Entitlements and their versions.

An ``Entitlement`` is one program granted to one household (or, for tekun, one person) by a
confirmed decision. Its amount over time is a chain of ``EntitlementVersion`` rows, each valid
from a month (inclusive) to a month (exclusive) — a change never overwrites a version, it closes
it and opens the next. Months are ``YYYY-MM`` text (DESIGN.md §9), which sorts as time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.cases.models import Application
from jiuzhu.web.core.programs import program_choices
from jiuzhu.web.localvalues.models import LocalValue
from jiuzhu.web.registry.models import Household, Person


class Status(models.TextChoices):
    ACTIVE = "active", _("正常发放")
    SUSPENDED = "suspended", _("暂停发放")
    GRADUAL_EXIT = "gradual_exit", _("渐退期")
    TERMINATION_NOTICE = "termination_notice", _("终止公示中")
    TERMINATED = "terminated", _("已终止")


PAYABLE = frozenset({Status.ACTIVE, Status.GRADUAL_EXIT, Status.TERMINATION_NOTICE})
"""Statuses in which the month's amount is paid (a termination takes effect the month after its
notice; a gradual exit keeps paying until its end)."""


class ReviewClass(models.TextChoices):
    """最低生活保障审核确认办法 Art. 31: how often the household is re-checked."""

    STABLE = "stable", _("收入稳定（每年核查）")
    UNSTABLE = "unstable", _("收入不固定或有劳动能力成员（每半年核查）")


class TerminationGrounds(models.TextChoices):
    """Why an entitlement ends (社会救助暂行办法 Art. 18; 特困人员认定办法 Art. 24–26;
    最低生活保障审核确认办法 Art. 32–34)."""

    DEATH = "death", _("死亡、被宣告死亡或失踪")
    CAPACITY = "capacity", _("具备或恢复劳动能力")
    PRISON = "prison", _("在监狱服刑")
    INCOME_ASSETS = "income_assets", _("收入或财产不再符合条件")
    OBLIGOR = "obligor", _("法定义务人具备履行义务能力")
    AGE = "age", _("年满18周岁且不在规定学校就读")
    VOLUNTARY = "voluntary", _("自愿申请退出")
    GRADUAL_EXIT_END = "gradual_exit_end", _("渐退期满")
    OTHER = "other", _("其他")


class Entitlement(models.Model):
    number = models.CharField(_("待遇编号"), max_length=24, unique=True)
    program = models.CharField(_("救助项目"), max_length=24, choices=program_choices)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="entitlements")
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entitlements",
        help_text=_("特困人员救助供养按人；其他项目按户"),
    )
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="entitlement"
    )
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    status = models.CharField(
        _("状态"), max_length=24, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    start_month = models.CharField(_("起始发放月份"), max_length=7)
    end_month = models.CharField(
        _("停发月份"), max_length=7, blank=True, help_text=_("从该月起不再发放（不含）")
    )
    review_class = models.CharField(
        _("核查类别"), max_length=12, choices=ReviewClass.choices, default=ReviewClass.STABLE
    )
    next_review_due = models.DateField(_("下次核查期限"), null=True, blank=True)
    gradual_exit_until = models.CharField(_("渐退期至（不含）"), max_length=7, blank=True)
    # Termination (added for dynamic management, migration 0002). A decided termination keeps a
    # payable status until ``end_month`` arrives (then ``terminated``), so the status always says
    # whether the current month is paid.
    termination_grounds = models.CharField(
        _("终止原因类别"), max_length=24, choices=TerminationGrounds.choices, blank=True
    )
    termination_reason = models.TextField(_("终止理由"), blank=True)
    termination_proposed_on = models.DateField(_("拟终止日期"), null=True, blank=True)
    notice_starts_on = models.DateField(_("终止公示开始"), null=True, blank=True)
    notice_ends_on = models.DateField(_("终止公示结束"), null=True, blank=True)
    notice_issued_on = models.DateField(_("终止通知书送达日期"), null=True, blank=True)
    terminated_on = models.DateField(_("终止决定日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("救助待遇")
        verbose_name_plural = _("救助待遇")
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return self.number


class VersionBasis(models.TextChoices):
    DECISION = "decision", _("审核确认决定")
    STANDARD_CHANGE = "standard_change", _("标准调整")
    REVIEW = "review", _("定期核查")
    CHANGE_REPORT = "change_report", _("家庭变化报告")
    EMPLOYMENT_SANCTION = "employment_sanction", _("无正当理由拒绝就业减发")
    GRADUAL_EXIT = "gradual_exit", _("渐退")
    CORRECTION = "correction", _("更正")


class EntitlementVersion(models.Model):
    """The monthly amount from ``valid_from`` (inclusive) to ``valid_to`` (exclusive; blank:
    open), with the rules and parameters it was computed with."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    valid_from = models.CharField(_("起始月份"), max_length=7)
    valid_to = models.CharField(_("截止月份（不含）"), max_length=7, blank=True)
    monthly_amount = models.BigIntegerField(_("月救助金（分）"))
    basis = models.CharField(_("依据"), max_length=24, choices=VersionBasis.choices)
    reason = models.TextField(_("说明"), blank=True)
    engine_version = models.CharField(max_length=16, blank=True)
    parameter_digest = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("entitlement", "number")
        constraints = [
            models.UniqueConstraint(fields=["entitlement", "number"], name="one_version_number"),
            models.UniqueConstraint(
                fields=["entitlement", "valid_from"], name="one_version_per_start"
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gte=0), name="version_amount_not_negative"
            ),
        ]


# --- Dynamic management (动态管理, issue 5) ----------------------------------------------------


class EntitlementEvent(models.Model):
    """One change of an entitlement's status or one decision on it (suspension, notice,
    termination …), for the timeline; the audit trail keeps the same with before/after."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ("-at", "-id")
        verbose_name = _("待遇变动记录")
        verbose_name_plural = _("待遇变动记录")


class TaskKind(models.TextChoices):
    PERIODIC_REVIEW = "periodic_review", _("定期核查")
    DEATH_CHECK = "death_check", _("成员死亡后家庭状况核查")
    CHANGE_REPORT = "change_report", _("家庭变化报告核查")
    TEKUN_AGE = "tekun_age", _("特困未成年人年满18周岁核查")
    TERMINATION_OBJECTION = "termination_objection", _("终止公示异议核查")
    FOLLOW_UP = "follow_up", _("终止特困供养后低保或临时救助衔接")
    STANDARD_CHANGE = "standard_change", _("标准调整未能自动适用")
    DISCOVERY_CHECK = "discovery_check", _("主动发现预警核查")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已撤销")


class TaskOutcome(models.TextChoices):
    KEPT = "kept", _("无明显变化，不调整")
    NEW_VERSION = "new_version", _("调整救助金")
    GRADUAL_EXIT = "gradual_exit", _("转入渐退期")
    TERMINATION_PROPOSED = "termination_proposed", _("拟终止")
    CLOSED = "closed", _("已处理")


class ReviewTask(models.Model):
    """A check an entitlement needs by a date: a periodic review (Art. 31), a member's death
    (2022 notice: within 3 months), a tekun minor reaching 18 (特困人员认定办法 Art. 24), an
    objection to a termination notice, the follow-up of a tekun termination.

    ``key`` makes generation idempotent: one task per entitlement, kind and key (the due date of
    a periodic review, the deceased person, …), so a scheduled function can run every day.

    A task due in working days (an objection to a termination, a discovery check) keeps what
    its deadline is counted from (``due_from``, ``due_working_days``): its ``due_on`` is null
    while the year it reaches has no calendar ("缺 2027 年日历", never overdue) and is counted
    again whenever a calendar year is entered or corrected (``actions.recount_deadlines``).
    """

    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("任务类型"), max_length=24, choices=TaskKind.choices)
    key = models.CharField(max_length=40)
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(
        _("期限"),
        null=True,
        blank=True,
        help_text=_("空：期限所在年份缺工作日历，录入该年日历后自动计算"),
    )
    due_from = models.DateField(_("期限起算日"), null=True, blank=True)
    due_working_days = models.PositiveSmallIntegerField(
        _("期限（工作日）"),
        null=True,
        blank=True,
        help_text=_("期限按工作日计算的任务：自起算日起的工作日数，工作日历变更后据此重新计算"),
    )
    due_rule = models.CharField(_("期限依据"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    reason = models.TextField(_("事由"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    outcome = models.CharField(
        _("处理结果"), max_length=24, choices=TaskOutcome.choices, blank=True
    )
    note = models.TextField(_("处理说明"), blank=True)
    version = models.ForeignKey(
        EntitlementVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = (models.F("due_on").asc(nulls_last=True), "id")
        verbose_name = _("核查任务")
        verbose_name_plural = _("核查任务")
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.UniqueConstraint(fields=["entitlement", "kind", "key"], name="one_task_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on or ''}".rstrip()


class ChangeCategory(models.TextChoices):
    MEMBERS = "members", _("家庭成员变化")
    EMPLOYMENT = "employment", _("成员就业")
    INCOME = "income", _("收入变化")
    ASSETS = "assets", _("财产变化")
    OTHER = "other", _("其他")


class ChangeReport(models.Model):
    """A household's report of a change in its members, income or assets (Art. 30), and what the
    reassessment made of it."""

    entitlement = models.ForeignKey(
        Entitlement, on_delete=models.CASCADE, related_name="change_reports"
    )
    category = models.CharField(_("变化类别"), max_length=16, choices=ChangeCategory.choices)
    description = models.TextField(_("变化情况"))
    effective_on = models.DateField(_("变化发生日期"))
    reported_on = models.DateField(_("报告日期"))
    member_found_work = models.BooleanField(_("因成员就业收入增加"), default=False)
    outcome = models.CharField(
        _("处理结果"), max_length=24, choices=TaskOutcome.choices, blank=True
    )
    version = models.ForeignKey(
        EntitlementVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-reported_on", "-id")
        verbose_name = _("家庭变化报告")
        verbose_name_plural = _("家庭变化报告")


class EmploymentSanction(models.Model):
    """A member who refused suitable job offers 3 times in a row without good reason: his or her
    own share of the dibao is reduced by ``share_percent`` % (100: stopped) from ``from_month``
    (社会救助暂行办法 Art. 45; 最低生活保障审核确认办法 Art. 34; case C28). The share is the
    household amount / members counted, so later recomputations (standard change, review) keep
    the sanction."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="sanctions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    refusals = models.PositiveSmallIntegerField(_("连续拒绝次数"))
    share_percent = models.PositiveSmallIntegerField(_("减发本人份额比例（%）"))
    from_month = models.CharField(_("起始月份"), max_length=7)
    to_month = models.CharField(_("截止月份（不含）"), max_length=7, blank=True)
    reason = models.TextField(_("说明"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("拒绝就业减发")
        verbose_name_plural = _("拒绝就业减发")
        constraints = [
            models.UniqueConstraint(
                fields=["entitlement", "person", "from_month"], name="one_sanction_per_start"
            ),
            models.CheckConstraint(
                condition=models.Q(share_percent__gte=1) & models.Q(share_percent__lte=100),
                name="sanction_percent_range",
            ),
        ]


class RunStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准生效")
    DISCARDED = "discarded", _("已作废")


class StandardChangeRun(models.Model):
    """A recomputation of every active entitlement after a parameter change (e.g. a new dibao
    standard from a month), kept for review; a second person approves it and the changes become
    new versions (basis ``standard_change``). Amounts in fen per month."""

    parameter_path = models.CharField(_("参数"), max_length=80)
    parameter_label = models.CharField(_("参数名称"), max_length=100, blank=True)
    parameter_value = models.JSONField(_("新取值"), null=True, blank=True)
    parameter_reference = models.TextField(_("依据"), blank=True)
    parameter_confidence = models.CharField(_("置信度"), max_length=16, blank=True)
    # The district's own value the new value is (confidence ``local``): the page names its
    # document and officers in the reader's language from it, where ``parameter_reference``
    # keeps the rules' bilingual text (本地调整 adopted change：…；录入 <login>…) as recorded.
    local_value = models.ForeignKey(
        LocalValue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("本地值"),
    )
    description = models.TextField(_("调整说明"), blank=True)
    effective_month = models.CharField(_("生效月份"), max_length=7)
    division_code = models.CharField(_("范围区划代码"), max_length=12, db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=RunStatus.choices, default=RunStatus.PROPOSED
    )
    engine_version = models.CharField(max_length=16)
    parameter_digest = models.CharField(max_length=64)
    overrides = models.JSONField(default=dict, blank=True)
    checked = models.PositiveIntegerField(_("重算待遇数"), default=0)
    changed = models.PositiveIntegerField(_("金额变化数"), default=0)
    flagged = models.PositiveIntegerField(_("需人工处理数"), default=0)
    total_before = models.BigIntegerField(_("调整前月救助金合计（分）"), default=0)
    total_after = models.BigIntegerField(_("调整后月救助金合计（分）"), default=0)
    totals = models.JSONField(_("按乡镇和项目汇总"), default=list)
    seconds = models.FloatField(_("计算用时（秒）"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    applied = models.PositiveIntegerField(_("已生成新版本数"), default=0)
    skipped = models.PositiveIntegerField(_("计算后已变更而未适用数"), default=0)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("标准调整重算")
        verbose_name_plural = _("标准调整重算")

    def __str__(self) -> str:
        return f"{self.parameter_path} {self.effective_month}"


class ItemOutcome(models.TextChoices):
    CHANGE = "change", _("金额变化")
    NEEDS_CORRECTION = "needs_correction", _("当前版本始于生效月份或之后，需人工更正")
    NOT_ELIGIBLE = "not_eligible", _("重算不再符合条件，需核查")
    UNDETERMINED = "undetermined", _("参数未知或家庭登记数据有误，无法重算")


class StandardChangeItem(models.Model):
    """One entitlement whose recomputed amount differs from its open version (or that needs a
    person's look). Unchanged entitlements have no row (the run keeps their count)."""

    run = models.ForeignKey(StandardChangeRun, on_delete=models.CASCADE, related_name="items")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(EntitlementVersion, on_delete=models.CASCADE, related_name="+")
    township_code = models.CharField(max_length=9)
    program = models.CharField(max_length=24, choices=program_choices)
    old_amount = models.BigIntegerField(_("原月救助金（分）"))
    new_amount = models.BigIntegerField(_("重算月救助金（分）"), null=True, blank=True)
    outcome = models.CharField(max_length=24, choices=ItemOutcome.choices)

    class Meta:
        ordering = ("township_code", "entitlement_id")
        indexes = [models.Index(fields=["run", "outcome"])]
