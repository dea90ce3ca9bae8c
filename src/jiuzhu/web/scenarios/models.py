"""Scenarios (测算方案): a proposed change of standards, its cost measured over the registry, and
the second officer's decision (issue 14).

An officer writes the changes and their effective date (or a budget to fit); the platform
simulates them over every household of the registry (``jiuzhu.batch.pipelines.simulate``) and
keeps the results. Another district officer approves it — the changes then become adopted local
values (``localvalues.LocalValue.adopted``), dated parameters with the scenario's reference, and
the recomputation of every entitlement (a ``StandardChangeRun``) is started for their month —
or sends it back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.entitlements.models import StandardChangeRun
from jiuzhu.web.localvalues.models import LocalValue


class Status(models.TextChoices):
    AWAITING_CHECK = "awaiting_check", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已退回")


class Scenario(models.Model):
    """One scenario and its results.

    ``changes``: ``{parameter path: value}`` as the policy files write it (yuan, ratios, a mapping
    over a breakdown's codes), after any budget fit. ``budget``: the budget mode's question —
    ``parameter``, ``annual`` (yuan a year), ``low`` and ``high`` (whole yuan), ``programs`` — and
    ``budget_fit`` its answer: ``value`` (yuan), ``annual_cost`` and ``next_cost`` (fen a year),
    ``fits``, ``trials``. ``summary``: one row per program, ``by_township`` one per township
    and program (``SUMMARY_SCHEMA`` of the simulation pipeline, money in fen a month) with
    ``township_code`` and ``township``; ``distribution``: households by the change of their
    monthly assistance (``DISTRIBUTION_SCHEMA``); ``linked``: the standards linked to the dibao
    standard on the effective date (``jiuzhu.rules.standards.Linked``, fen).
    """

    label = models.CharField(_("方案名称"), max_length=100)
    effective = models.DateField(_("生效日期"))
    reference = models.CharField(_("依据"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    changes = models.JSONField(_("参数调整"))
    budget = models.JSONField(_("预算"), null=True, blank=True)
    budget_fit = models.JSONField(_("预算测算结果"), null=True, blank=True)
    division_code = models.CharField(_("区划代码"), max_length=12, default=DISTRICT_CODE)
    households = models.PositiveIntegerField(_("测算户数"), default=0)
    invalid_households = models.JSONField(_("数据不全未测算的家庭"), default=list)
    summary = models.JSONField(default=list)
    by_township = models.JSONField(default=list)
    distribution = models.JSONField(default=list)
    linked = models.JSONField(default=list)
    seconds = models.FloatField(default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.AWAITING_CHECK
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("测算时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    adopted_values = models.ManyToManyField(LocalValue, blank=True, related_name="+")
    runs = models.ManyToManyField(StandardChangeRun, blank=True, related_name="+")

    class Meta:
        verbose_name = _("测算方案")
        verbose_name_plural = _("测算方案")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.label
