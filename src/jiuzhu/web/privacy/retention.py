"""How long each class of personal data is kept, and what is done when the period has passed
(《中华人民共和国个人信息保护法》第十九条: 保存期限应当为实现处理目的所必要的最短时间; 第四十七条:
保存期限已届满的，个人信息处理者应当主动删除个人信息).

One row per data class (``CLASSES``): the records it covers, the period in months and the event
it runs from, and the document that sets it (title, number, article). Where no document known
to the project sets a period, the period is ``None`` — unknown — and nothing of that class is
ever erased: the command says so and why. A period a document gives as a minimum ("不少于") is
used as it stands; a district that keeps longer changes the row (a reviewed change of code).

The one class with a known period, applications and decisions (审批类档案), is erased here as
far as nothing else still needs it: the scanned materials (files and rows) and the free texts of
the application, its home visits and objections. The structured decision (program, dates,
amounts) stays: the payments made under it belong to the finance class, whose period is
unknown, and the people named in it to the identity class, also unknown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.audit.actions import record
from jiuzhu.web.cases.models import OPEN_STAGES, Application, HomeVisit, Objection
from jiuzhu.web.core.months import add_years
from jiuzhu.web.documents.models import MaterialFile
from jiuzhu.web.documents.storage import absolute
from jiuzhu.web.entitlements.models import Entitlement, Status

ERASED = "（已超过保存期限，内容已删除）"
"""What an erased free text reads (recorded in Chinese, as every text of the record)."""


@dataclass(frozen=True)
class DataClass:
    """A class of personal data and its retention. ``months``: the period, or None when no
    document sets one (unknown: nothing is erased); ``source``: the document's title and
    number with the article, or why none is known."""

    code: str
    label: Promise
    covers: Promise
    months: int | None
    starts: Promise
    source: Promise


CLASSES: tuple[DataClass, ...] = (
    DataClass(
        "identity",
        _("身份信息"),
        _("姓名、公民身份号码、出生日期、户籍、家庭成员关系"),
        None,
        _("—"),
        _("未找到规定社会救助身份信息保存期限的文件；身份信息随其所在的档案保存"),
    ),
    DataClass(
        "health",
        _("健康信息"),
        _("残疾类别和等级、重特大疾病、门诊特殊病、生活自理能力、医保结算和残疾人证数据"),
        None,
        _("—"),
        _("未找到规定社会救助健康信息保存期限的文件"),
    ),
    DataClass(
        "finance",
        _("金融与发放信息"),
        _("银行账户、救助金发放、追回，收入和财产"),
        None,
        _("—"),
        _(
            "发放领取名册等材料归入会计档案（《民政部办公厅 国家档案局办公室关于加强最低生活"
            "保障档案管理的通知》三（一），文号未核实）；会计档案的保管期限本平台未核实"
        ),
    ),
    DataClass(
        "minors",
        _("未成年人信息"),
        _("未满18周岁人员的全部记录"),
        None,
        _("—"),
        _("未找到规定社会救助中未成年人信息保存期限的文件"),
    ),
    DataClass(
        "relief",
        _("流浪乞讨人员救助记录"),
        _("在站受助记录：体貌特征、发现地点、救助服务、亲属联系、返乡和安置"),
        None,
        _("—"),
        _("未找到规定流浪乞讨人员救助档案保存期限的文件"),
    ),
    DataClass(
        "applications",
        _("申请与审核确认"),
        _("已办结申请的扫描材料，申请、入户调查和异议中的文字说明"),
        36,
        _("该户停止享受救助（或申请办结而未获救助）之日"),
        _(
            "《民政部办公厅 国家档案局办公室关于加强最低生活保障档案管理的通知》三（二）"
            "“审批类档案的保管期限为该低保户停保后不少于3年”（文号未核实；“不少于”：本区可规定更长期限）"
        ),
    ),
    DataClass(
        "audit",
        _("审计日志"),
        _("全部审计事件（谁、何时、做了什么）"),
        None,
        _("—"),
        _(
            "《中华人民共和国网络安全法》第二十一条规定网络日志留存不少于六个月，未规定上限；"
            "审计日志只增不改，本命令不删除"
        ),
    ),
)
"""The data classes, in the order the command lists them."""


def _closed_on_or_before(cutoff: dt.date) -> QuerySet[Application]:
    """Closed applications of households that have received nothing since ``cutoff``: no open
    application, no entitlement still running or ended after it."""
    running = Entitlement.objects.filter(household=OuterRef("household")).filter(
        ~Q(status=Status.TERMINATED)
        | Q(terminated_on__gt=cutoff)
        | Q(end_month__gt=cutoff.strftime("%Y-%m"))
    )
    open_applications = Application.objects.filter(
        household=OuterRef("household"), stage__in=OPEN_STAGES
    )
    return (
        Application.objects.exclude(stage__in=OPEN_STAGES)
        .filter(
            Q(decided_on__lte=cutoff) | Q(decided_on__isnull=True, updated_at__date__lte=cutoff)
        )
        .exclude(Exists(running))
        .exclude(Exists(open_applications))
    )


def due_applications(today: dt.date) -> QuerySet[Application]:
    """Applications past the period of the ``applications`` class on ``today`` that still hold
    something to erase (a scanned material or a text not yet erased)."""
    period = _class("applications").months
    assert period is not None and period % 12 == 0
    cutoff = add_years(today, -period // 12)
    texts = ~Q(opinion_note__in=("", ERASED)) | ~Q(decision_reasons__in=("", ERASED))
    visits = HomeVisit.objects.filter(application=OuterRef("pk")).exclude(findings=ERASED)
    objections = Objection.objects.filter(application=OuterRef("pk")).exclude(content=ERASED)
    materials = MaterialFile.objects.filter(application=OuterRef("pk"))
    return (
        _closed_on_or_before(cutoff)
        .filter(
            texts
            | ~Q(proposed_reasons__in=("", ERASED))
            | Q(Exists(visits))
            | Q(Exists(objections))
            | Q(Exists(materials))
        )
        .order_by("pk")
    )


def _class(code: str) -> DataClass:
    return next(c for c in CLASSES if c.code == code)


APPLICATION_TEXTS = (
    "opinion_note",
    "proposed_reasons",
    "decision_reasons",
    "spot_check_note",
    "relative_note",
    "reassessment_note",
    "extension_reason",
)
"""The application's free texts (they may name illnesses, debts, family matters)."""


def erase_application(application: Application, removed: list[Path]) -> int:
    """Erase what the ``applications`` class covers of one application, in the caller's
    transaction; add the scanned files to delete (after the commit) to ``removed``. Returns
    the number of scanned materials erased. Audited (``privacy.retention``)."""
    files = list(MaterialFile.objects.filter(application=application))
    removed += [absolute(f.path) for f in files]
    MaterialFile.objects.filter(application=application).update(replaced_by=None)
    MaterialFile.objects.filter(application=application).delete()
    Application.objects.filter(pk=application.pk).update(
        **{name: ERASED for name in APPLICATION_TEXTS if getattr(application, name)}
    )
    HomeVisit.objects.filter(application=application).update(findings=ERASED)
    Objection.objects.filter(application=application).update(content=ERASED, outcome=ERASED)
    record(
        None,
        "privacy.retention",
        application,
        count=len(files),
        note=str(_class("applications").label),
    )
    return len(files)


def apply(today: dt.date) -> tuple[int, int]:
    """Erase every application past its period, all in one transaction (all or nothing); the
    scanned files are deleted from disk once it has committed. Returns the applications and
    the scanned materials erased."""
    removed: list[Path] = []
    with transaction.atomic():
        applications = list(due_applications(today).select_for_update())
        for application in applications:
            erase_application(application, removed)

        def delete_files() -> None:
            for path in removed:
                path.unlink(missing_ok=True)

        transaction.on_commit(delete_files)
    return len(applications), len(removed)
