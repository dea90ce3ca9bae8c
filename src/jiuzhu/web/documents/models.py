"""Materials and documents of the procedure.

* ``Office``: who issues a township's documents (and the district bureau's): the body's name,
  address and phone, the administrative-review body and the court a resident may turn to.
  Edited by the administrator; a value not set is printed as 未设置, never invented.
* ``MaterialFile``: a scanned material attached to an application, stored under the data
  directory (never under the web root) and served only by ``documents.views``.
* ``NumberSequence`` and ``IssuedDocument``: numbered notices (decisions, terminations) take
  their number from a per-township, per-year, per-kind sequence in the same transaction as the
  record of what was issued, so that a rollback leaves no gap and a reprint shows the same
  number and the same text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.cases.materials import MATERIALS
from jiuzhu.web.cases.models import Application
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.payments.models import Recovery


def field_label(model: type[models.Model], name: str) -> str:
    """A model field's label (its ``verbose_name``) in the active language."""
    field = model._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


class Office(models.Model):
    """The issuing body of one township (9-digit code) or of the district bureau (``120115``)."""

    division_code = models.CharField(
        _("区划代码"),
        max_length=9,
        unique=True,
        help_text=_("乡镇（街道）9位区划代码，或区民政局 120115"),
    )
    name = models.CharField(_("发文机关名称"), max_length=100, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=50, blank=True)
    review_body = models.CharField(
        _("行政复议机关"),
        max_length=100,
        blank=True,
        help_text=_("对本机关作出的决定不服时，受理行政复议申请的机关"),
    )
    court = models.CharField(
        _("管辖法院"),
        max_length=100,
        blank=True,
        help_text=_("对本机关作出的决定提起行政诉讼的人民法院"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("文书发文机关")
        verbose_name_plural = _("文书发文机关")
        ordering = ("division_code",)

    def __str__(self) -> str:
        return self.name or self.division_code


class DocumentKind(models.TextChoices):
    """The documents the procedure hands to residents (or publishes)."""

    MISSING_MATERIALS = "missing_materials", _("一次性告知书")
    ACCEPTANCE = "acceptance", _("受理通知书")
    HOME_VISIT_FORM = "home_visit_form", _("入户调查表")
    PUBLIC_NOTICE = "public_notice", _("公示名单")
    APPROVAL = "approval", _("确认通知书")
    REFUSAL = "refusal", _("不予确认通知书")
    TERMINATION = "termination", _("终止通知书")
    PENALTY_NOTICE = "penalty_notice", _("行政处罚事先告知书")
    FRAUD_DECISION = "fraud_decision", _("责令退回骗取的救助资金并处罚款决定书")


NUMBERED_KINDS = frozenset(
    {
        DocumentKind.APPROVAL,
        DocumentKind.REFUSAL,
        DocumentKind.TERMINATION,
        DocumentKind.PENALTY_NOTICE,
        DocumentKind.FRAUD_DECISION,
    }
)
"""Decisions carry a document number (文号); the other documents are printed from live data."""


class NumberSequence(models.Model):
    """The last number given for one township, year and kind (taken under a row lock)."""

    township_code = models.CharField(max_length=9)
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["township_code", "year", "kind"], name="one_sequence_per_township_year"
            )
        ]


class IssuedDocument(models.Model):
    """A numbered notice as issued: its kind and number, for which application, entitlement or
    recovery (a fraud decision), who issued it and when, and the data printed (``data``: the
    document's text fields, in Chinese, as a reprint shows them)."""

    kind = models.CharField(_("文书"), max_length=24, choices=DocumentKind.choices)
    number = models.CharField(_("文号"), max_length=60, unique=True)
    township_code = models.CharField(_("乡镇（街道）区划代码"), max_length=9)
    year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("顺序号"))
    application = models.ForeignKey(
        Application,
        verbose_name=_("申请"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_documents",
    )
    entitlement = models.ForeignKey(
        Entitlement,
        verbose_name=_("救助待遇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_documents",
    )
    recovery = models.ForeignKey(
        Recovery,
        verbose_name=_("追回"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_documents",
    )
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("出具人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("出具时间"), auto_now_add=True)
    data = models.JSONField(_("所印内容"))

    class Meta:
        verbose_name = _("已出具文书")
        verbose_name_plural = _("已出具文书")
        ordering = ("-issued_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["township_code", "year", "kind", "sequence"], name="one_document_number"
            ),
            models.UniqueConstraint(
                fields=["kind", "application"],
                condition=models.Q(application__isnull=False),
                name="one_notice_per_application",
            ),
            models.UniqueConstraint(
                fields=["kind", "entitlement"],
                condition=models.Q(entitlement__isnull=False),
                name="one_notice_per_entitlement",
            ),
            models.UniqueConstraint(
                fields=["kind", "recovery"],
                condition=models.Q(recovery__isnull=False),
                name="one_notice_per_recovery",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    application__isnull=True, entitlement__isnull=False, recovery__isnull=True
                )
                | models.Q(
                    application__isnull=False, entitlement__isnull=True, recovery__isnull=True
                )
                | models.Q(
                    application__isnull=True, entitlement__isnull=True, recovery__isnull=False
                ),
                name="notice_of_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class MaterialStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    REPLACED = "replaced", _("已替换")
    WITHDRAWN = "withdrawn", _("已撤回")


class FileType(models.TextChoices):
    """The file types accepted, as recognised from the content (never from the name)."""

    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"


class MaterialFile(models.Model):
    """One scanned material of an application. A file is never deleted: a wrong upload is
    replaced (``replaced_by`` the new one) or withdrawn with a reason, and stays on disk and in
    the history."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("申请"),
        on_delete=models.PROTECT,
        related_name="material_files",
    )
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    # A code of ``cases.materials.MATERIALS`` (checked by the action; no choices here, so that
    # a material added there needs no migration here).
    material = models.CharField(_("材料"), max_length=40)
    path = models.CharField(
        _("存储位置"), max_length=200, unique=True, help_text=_("数据目录下的相对路径")
    )
    file_type = models.CharField(_("文件类型"), max_length=20, choices=FileType.choices)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("文件校验值（SHA-256）"), max_length=64)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    handed_in = models.BooleanField(
        _("以扫描件补交"),
        default=False,
        help_text=_("上传时该材料在一次性告知的缺少材料中，上传即视为补交"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=MaterialStatus.choices, default=MaterialStatus.ACTIVE
    )
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("替换为"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
    )
    withdrawal_reason = models.CharField(_("撤回理由"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("替换或撤回人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("替换或撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("材料扫描件")
        verbose_name_plural = _("材料扫描件")
        ordering = ("application", "material", "uploaded_at", "id")
        indexes = [models.Index(fields=["application", "status"])]

    def __str__(self) -> str:
        return f"{self.application} {self.material_label}"

    @property
    def material_label(self) -> str:
        return str(MATERIALS.get(self.material, self.material))

    @property
    def extension(self) -> str:
        return {FileType.PDF: "pdf", FileType.JPEG: "jpg", FileType.PNG: "png"}[
            FileType(self.file_type)
        ]
