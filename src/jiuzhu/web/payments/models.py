"""Payroll models: bank accounts, monthly payroll runs, payments, bank files and returns,
recoveries.

Policy: 最低生活保障审核确认办法 Art. 21 (paid from the month after the decision), Art. 25–26
(paid monthly, socialised, into the household's bank account); 社会救助暂行办法 Art. 68 (fraud:
recovery of the amount obtained and a fine of 1–3 times it).

Money is integer **fen** everywhere (``BigIntegerField``); months are ``YYYY-MM`` text, which
sorts as time (DESIGN.md §9).

Sign convention: a ``Payment`` of kind *regular* or *arrears* is positive; a *recovery* is a
**negative** payment (the amount deducted), so that the sum of a household's payments is what it
received. The database checks the sign (``payment_sign_by_kind``).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.core.fields import SealedCharField, SealedModel
from jiuzhu.web.core.masking import mask_account, mask_id
from jiuzhu.web.core.programs import program_choices
from jiuzhu.web.entitlements.models import Entitlement, EntitlementVersion
from jiuzhu.web.payments.validation import luhn_valid
from jiuzhu.web.registry.models import Household, Person

MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
month_validator = RegexValidator(MONTH_PATTERN, _("月份格式应为 YYYY-MM"))


class AccountStatus(models.TextChoices):
    """A bank account's life (its transition table is ``payments.workflow.ACCOUNT``)."""

    AWAITING_CHECK = "awaiting_check", _("待复核")
    IN_FORCE = "in_force", _("有效")
    REJECTED = "rejected", _("已退回")
    REPLACED = "replaced", _("已更换")


class BankAccount(SealedModel):
    """The account a household (or, for tekun, one person) is paid into (Art. 25: 社会化发放).

    Recorded by one person and put in force by another (maker–checker): the payroll pays only
    an account in force. A change of account is a new account; when it is checked, the one it
    replaces is marked *replaced* — never edited or deleted, so a payment keeps the account it
    was sent to. The number is stored whole and shown masked everywhere; only the bank file
    carries it in full, and every unmasked view is audited.
    """

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="bank_accounts")
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_accounts",
        help_text=_("特困人员按人发放时填写"),
    )
    bank_name = models.CharField(_("开户银行"), max_length=60)
    # Sealed at rest (core.crypto); never looked up, only read.
    account_number = SealedCharField(_("银行账号"), max_length=32)
    holder_name = models.CharField(_("户名"), max_length=50)
    holder_id = SealedCharField(
        _("持卡人身份证号"),
        max_length=18,
        blank=True,
        help_text=_("空白：登记于要求填写持卡人身份证号之前"),
    )
    holder_note = models.CharField(
        _("持卡人不是家庭成员的原因"), max_length=200, blank=True, help_text=_("如：监护人")
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=AccountStatus.choices,
        default=AccountStatus.AWAITING_CHECK,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    rejection_reason = models.TextField(_("退回理由"), blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("更换的原账户"),
    )
    replaced_at = models.DateTimeField(_("更换时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("银行账户")
        verbose_name_plural = _("银行账户")
        constraints = [
            # One account in force per household (and per tekun person): the payroll never has
            # to guess which one to pay into; and one waiting for its check, so that a checker
            # never has two candidates for the same payee.
            *(
                models.UniqueConstraint(
                    fields=["household"],
                    condition=models.Q(status=status, person__isnull=True),
                    name=f"one_{status}_household_account",
                )
                for status in (AccountStatus.IN_FORCE, AccountStatus.AWAITING_CHECK)
            ),
            *(
                models.UniqueConstraint(
                    fields=["household", "person"],
                    condition=models.Q(status=status, person__isnull=False),
                    name=f"one_{status}_person_account",
                )
                for status in (AccountStatus.IN_FORCE, AccountStatus.AWAITING_CHECK)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.masked}"

    @property
    def masked(self) -> str:
        return mask_account(self.account_number)

    @property
    def masked_holder_id(self) -> str:
        return mask_id(self.holder_id) if self.holder_id else ""

    @property
    def in_force(self) -> bool:
        return self.status == AccountStatus.IN_FORCE

    @property
    def card_check_failed(self) -> bool:
        """A 16–19 digit number (a bank card's length) whose Luhn digit is wrong: a warning for
        the checker, not a refusal (a passbook account of that length has no Luhn digit)."""
        return 16 <= len(self.account_number) <= 19 and not luhn_valid(self.account_number)


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")
    CHECKED = "checked", _("已复核")
    APPROVED = "approved", _("已审批")
    EXPORTED = "exported", _("已生成银行文件")
    RECONCILED = "reconciled", _("已对账")
    CLOSED = "closed", _("已结账")


class PayrollRun(models.Model):
    """One month's payroll of one program (发放名册): drafted by one district officer, checked
    by another, approved by a third person, exported to the bank, reconciled and closed (the
    transition table is ``payments.workflow.RUN``).

    ``drafters`` lists every user who ran the draft (a re-run completes it); none of them may
    check or approve, and the checker may not approve (maker–checker). The checker (of a draft)
    or the approver (of a checked run) may send it back to the drafters with a reason
    (``returned_*``); it is then redrafted before it is checked again.
    """

    month = models.CharField(_("发放月份"), max_length=7, validators=[month_validator])
    program = models.CharField(_("救助项目"), max_length=24, choices=program_choices)
    division_code = models.CharField(
        _("发放区划代码"), max_length=12, default=DISTRICT_CODE, db_index=True
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(_("草拟时间"))
    drafters = models.JSONField(default=list, help_text="pks of every user who ran the draft")
    draft_completed_at = models.DateTimeField(_("名册生成完成时间"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exported_at = models.DateTimeField(_("生成银行文件时间"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("对账时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("结账时间"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    totals = models.JSONField(
        _("合计"),
        default=dict,
        help_text="count and amount (fen) by kind, by township; parameters of the month",
    )
    check_report = models.JSONField(
        _("复核情况"), default=dict, help_text="comparison with the previous month at check time"
    )

    class Meta:
        ordering = ("-month", "program")
        verbose_name = _("发放名册")
        verbose_name_plural = _("发放名册")
        constraints = [
            models.UniqueConstraint(fields=["month", "program"], name="one_run_per_month_program")
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.get_program_display()}"

    @property
    def returned(self) -> bool:
        """Sent back to the drafter (by the checker or the approver) and not drafted again
        since: it must be redrafted before it is checked."""
        return self.returned_at is not None and (
            self.draft_completed_at is None or self.draft_completed_at <= self.returned_at
        )


class RunEvent(models.Model):
    """One step of a run's history: who made which move of ``payments.workflow.RUN`` (or the
    first draft), when, from and to which status, and the reason of a send-back (kept in
    Chinese, as typed)."""

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    move = models.CharField(_("操作"), max_length=24)
    from_status = models.CharField(_("原状态"), max_length=16, choices=RunStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=RunStatus.choices)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ("at", "pk")
        verbose_name = _("名册办理记录")
        verbose_name_plural = _("名册办理记录")

    def __str__(self) -> str:
        return f"{self.run} {self.move}"


class Kind(models.TextChoices):
    REGULAR = "regular", _("当月发放")
    ARREARS = "arrears", _("补发")
    RECOVERY = "recovery", _("扣回")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    EXPORTED = "exported", _("已报送银行")
    PAID = "paid", _("已到账")
    FAILED = "failed", _("发放失败")
    REISSUED = "reissued", _("失败，已重新发放")


class Recovery(models.Model):
    """Money to be recovered from an entitlement.

    *Overpayment* (多发, e.g. a retroactive reduction): deducted from the following payrolls as
    negative ``recovery`` payments, at most ``monthly_deduction`` fen a month (blank: as much as
    the month's payment allows). *Fraud* (社会救助暂行办法 Art. 68, 采取虚报、隐瞒、伪造等手段
    骗取): a separate path — the amount is ordered repaid together with a fine of 1–3 times it
    (``fine_multiple``); it is never deducted by the payroll (an administrative penalty has its
    own procedure and remedies) and is settled when repaid.
    """

    class RecoveryKind(models.TextChoices):
        OVERPAYMENT = "overpayment", _("多发追回")
        FRAUD = "fraud", _("骗取追回并处罚款")

    class RecoveryStatus(models.TextChoices):
        PENDING = "pending", _("待追回")
        RECOVERING = "recovering", _("扣回中")
        SETTLED = "settled", _("已追回")

    entitlement = models.ForeignKey(
        Entitlement, on_delete=models.PROTECT, related_name="recoveries"
    )
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=RecoveryKind.choices)
    amount = models.BigIntegerField(_("追回金额（分）"))
    fine_multiple = models.DecimalField(
        _("罚款倍数"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("骗取的，处骗取金额1倍以上3倍以下罚款（社会救助暂行办法第六十八条）"),
    )
    fine_amount = models.BigIntegerField(_("罚款金额（分）"), default=0)
    monthly_deduction = models.BigIntegerField(
        _("每月扣回上限（分）"), null=True, blank=True, help_text=_("空白：每月按应发金额全额扣回")
    )
    reason = models.TextField(_("原因"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=RecoveryStatus.choices,
        default=RecoveryStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    # The decision's date by the platform's clock (what documents and the ledger print).
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    settlement_note = models.TextField(blank=True)
    # The procedure before a fraud's fine (《行政处罚法》第四十四条、第四十五条、第六十四条):
    # the prior notice (its number is the issued document's), the party's statement and the
    # bureau's finding, a hearing; ``penalty_decided_on``: the decision issued.
    notified_on = models.DateField(_("事先告知日期"), null=True, blank=True)
    notified_fine_amount = models.BigIntegerField(_("告知的罚款金额（分）"), null=True, blank=True)
    statement_on = models.DateField(_("陈述、申辩日期"), null=True, blank=True)
    statement = models.TextField(_("陈述、申辩的内容"), blank=True)
    statement_adopted = models.BooleanField(_("是否采纳"), null=True, blank=True)
    statement_finding = models.TextField(_("复核意见和理由"), blank=True)
    hearing_requested_on = models.DateField(_("要求听证日期"), null=True, blank=True)
    hearing_held_on = models.DateField(_("听证日期"), null=True, blank=True)
    hearing_outcome = models.TextField(_("听证结果"), blank=True)
    penalty_decided_on = models.DateField(_("处罚决定日期"), null=True, blank=True)

    class Meta:
        ordering = ("decided_at", "pk")
        verbose_name = _("追回")
        verbose_name_plural = _("追回")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="recovery_positive"),
            models.CheckConstraint(
                condition=models.Q(kind="overpayment", fine_multiple__isnull=True)
                | models.Q(kind="fraud", fine_multiple__gte=1, fine_multiple__lte=3),
                name="fine_only_for_fraud_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entitlement} {self.get_kind_display()} {self.amount}"


class Repayment(models.Model):
    """Money repaid on a recovery outside the payroll (cash or transfer to the bureau's
    account), as the payer pays it: a fraud's amount and fine may be repaid in instalments. The
    recovery is settled when its repayments reach what is owed."""

    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="repayments")
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    paid_on = models.DateField(_("缴回日期"))
    amount = models.BigIntegerField(_("缴回金额（分）"))
    note = models.CharField(_("说明（票据号等）"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("paid_on", "pk")
        verbose_name = _("缴回")
        verbose_name_plural = _("缴回")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="repayment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.recovery_id} {self.paid_on} {self.amount}"


class BankFile(models.Model):
    """A file for the bank (代发文件): the initial file of a run, or a re-issue file of the
    payments whose accounts were corrected. The content is kept as generated (the checksum is
    over its rows; see ``payments.exporters``)."""

    class Purpose(models.TextChoices):
        INITIAL = "initial", _("正常发放")
        REISSUE = "reissue", _("重新发放")

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="bank_files")
    purpose = models.CharField(_("用途"), max_length=12, choices=Purpose.choices)
    format = models.CharField(_("格式"), max_length=16)
    encoding = models.CharField(_("编码"), max_length=16, blank=True)
    filename = models.CharField(_("文件名"), max_length=100)
    content = models.BinaryField()
    rows = models.PositiveIntegerField(_("笔数"))
    total = models.BigIntegerField(_("金额合计（分）"))
    checksum = models.CharField(_("校验值（SHA-256）"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("银行文件")
        verbose_name_plural = _("银行文件")

    def __str__(self) -> str:
        return self.filename


class Payment(models.Model):
    """One payment of one entitlement **for** one month (``month``), made in a run.

    ``kind``: *regular* — the month's amount (the version valid that month), in the run of that
    month; *arrears* (补发) — the shortfall for an earlier month (a version made retroactively,
    or an entitlement created after that month's run); *recovery* — a deduction, negative.

    Exactly-once is the database's job: a regular payment (and a recovery deduction) exists at
    most once per entitlement and month (``payment_once_per_entitlement_month_kind``); an
    arrears payment at most once per run, entitlement and month it is for
    (``arrears_once_per_run``) — a second retroactive change to the same month is a new
    shortfall, paid in a later run.

    A failed transfer is **re-issued as new payments** (one per failed payment, ``reissue_of``
    the failed one, into the corrected account, in the same run): the failed row keeps its
    account, file, reference and the bank's reason, and is marked *reissued*; the household's
    ledger shows both. The constraints above count the payments as due (``reissue_of`` blank);
    each payment is re-issued at most once (``reissue_of`` is one-to-one), and a re-issue that
    fails is re-issued in turn. Sums of amounts count the payments as due only
    (``AS_DUE``): a re-issue is another attempt to deliver the same money.
    """

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="payments")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="payments")
    version = models.ForeignKey(EntitlementVersion, on_delete=models.PROTECT, related_name="+")
    # Denormalised from the entitlement at draft time: the ledger and the jurisdiction filters
    # read payments without a join.
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="payments")
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    month = models.CharField(_("所属月份"), max_length=7, validators=[month_validator])
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    amount = models.BigIntegerField(_("金额（分）"), help_text=_("扣回为负数"))
    recovery = models.ForeignKey(
        Recovery, on_delete=models.PROTECT, null=True, blank=True, related_name="deductions"
    )
    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    reference = models.CharField(_("业务参考号"), max_length=40, blank=True, db_index=True)
    bank_file = models.ForeignKey(
        BankFile, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    failed_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reissue_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reissue",
        verbose_name=_("重新发放的原失败记录"),
    )
    reissued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reissued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("run", "division_code", "entitlement", "month", "kind")
        verbose_name = _("发放记录")
        verbose_name_plural = _("发放记录")
        indexes = [
            models.Index(fields=["run", "status"]),
            models.Index(fields=["household", "month"]),
            models.Index(fields=["entitlement", "month"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["entitlement", "month", "kind"],
                condition=models.Q(kind__in=["regular", "recovery"], reissue_of__isnull=True),
                name="payment_once_per_entitlement_month_kind",
            ),
            models.UniqueConstraint(
                fields=["run", "entitlement", "month"],
                condition=models.Q(kind="arrears", reissue_of__isnull=True),
                name="arrears_once_per_run",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["regular", "arrears"], amount__gt=0)
                | models.Q(kind="recovery", amount__lt=0),
                name="payment_sign_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entitlement_id} {self.month} {self.kind} {self.amount}"


AS_DUE = models.Q(reissue_of__isnull=True)
"""The payments as due, not their re-issues: what sums of amounts count (``Payment``)."""


class BankReturn(models.Model):
    """One imported bank return file (回盘文件) of a run."""

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="returns")
    filename = models.CharField(_("文件名"), max_length=200)
    rows = models.PositiveIntegerField(_("笔数"))
    succeeded = models.PositiveIntegerField(_("成功笔数"))
    failed = models.PositiveIntegerField(_("失败笔数"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("uploaded_at", "pk")
        verbose_name = _("银行回盘")
        verbose_name_plural = _("银行回盘")


class BankReturnRow(models.Model):
    """One line of a return file, as the bank sent it, and the transfer it was matched to
    (identified by its reference; the payments of a transfer share it)."""

    bank_return = models.ForeignKey(BankReturn, on_delete=models.CASCADE, related_name="lines")
    line = models.PositiveIntegerField(_("行号"))
    account_number = SealedCharField(_("银行账号"), max_length=32)
    amount = models.BigIntegerField(_("金额（分）"))
    succeeded = models.BooleanField(_("成功"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    reference = models.CharField(_("业务参考号"), max_length=40)

    class Meta:
        ordering = ("bank_return", "line")
        verbose_name = _("回盘明细")
        verbose_name_plural = _("回盘明细")

    @property
    def masked(self) -> str:
        return mask_account(self.account_number)


class ReserveFund(models.Model):
    """A township's temporary-assistance reserve fund (临时救助备用金) for a year: what the
    district allotted, at least 1 yuan per registered resident a year (天津临时救助规定,
    ``procedure.temporary_assistance.reserve_per_resident``); one-off payments made from it
    draw it down (``OneOffPayment.fund``)."""

    township_code = models.CharField(_("乡镇（街道）区划代码"), max_length=9)
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.BigIntegerField(_("备用金额度（分）"))
    registered_residents = models.PositiveIntegerField(_("户籍人口"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("临时救助备用金")
        verbose_name_plural = _("临时救助备用金")
        constraints = [
            models.UniqueConstraint(fields=["township_code", "year"], name="one_fund_a_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="fund_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.township_code} {self.year}"

    @property
    def division_code(self) -> str:
        """The township's code: whose jurisdiction the fund is in."""
        return self.township_code


class OneOffPayment(models.Model):
    """A payment made once (temporary assistance): cash handed over or transferred, or goods or
    services given in kind (``goods`` says what, ``amount`` their value), for an application —
    on the fast path (先行救助) before its paperwork. Recorded by one person; its amount counts
    against the township's reserve fund of the year when paid from it."""

    class Form(models.TextChoices):
        CASH = "cash", _("现金或转账")
        IN_KIND = "in_kind", _("实物或服务")

    application = models.ForeignKey(
        "cases.Application", on_delete=models.PROTECT, related_name="one_off_payments"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="one_off_payments"
    )
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    program = models.CharField(_("救助项目"), max_length=24, choices=program_choices)
    form = models.CharField(_("救助方式"), max_length=8, choices=Form.choices)
    amount = models.BigIntegerField(_("金额或折价（分）"))
    goods = models.CharField(_("实物或服务内容"), max_length=200, blank=True)
    fund = models.ForeignKey(
        ReserveFund,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("动用备用金"),
    )
    paid_on = models.DateField(_("发放日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("一次性救助发放")
        verbose_name_plural = _("一次性救助发放")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="one_off_positive"),
            models.CheckConstraint(
                condition=models.Q(form="cash") | ~models.Q(goods=""),
                name="in_kind_says_what",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.amount}"
