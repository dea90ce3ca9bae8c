"""What the plan pages read: the registers of the user's jurisdiction, and the dashboard's
indicators computed from them on a day (``indicators``), each with its definition, source,
target, actual value, the date of its latest value, met / not met / unknown and a breakdown by
township."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.core.charts import Chart, Series
from jiuzhu.web.core.users import Staff
from jiuzhu.web.localvalues.actions import system
from jiuzhu.web.plan import indicators
from jiuzhu.web.plan.actions import townships
from jiuzhu.web.plan.indicators import FacilityRow, PointRow, Share, Status
from jiuzhu.web.plan.models import CounsellingPoint, Facility, Inspection, Kind, Venue

STATUS_LABELS = {
    Status.MET: gettext_lazy("已达到"),
    Status.NOT_MET: gettext_lazy("未达到"),
    Status.UNKNOWN: gettext_lazy("未知"),
    Status.DISTRICT_ONLY: gettext_lazy("按全区考核"),
}
STATUS_TAGS = {Status.MET: "ok", Status.NOT_MET: "bad", Status.UNKNOWN: "warn"}


def facilities_for(user: Staff) -> QuerySet[Facility]:
    """The facilities of the user's jurisdiction."""
    return Facility.objects.filter(division_code__startswith=user.division_code or "-")


def points_for(user: Staff) -> QuerySet[CounsellingPoint]:
    """The counselling places of the user's jurisdiction (the marriage registry is the
    district's)."""
    return CounsellingPoint.objects.filter(division_code__startswith=user.division_code or "-")


@dataclass(frozen=True)
class Row:
    """A township's line of a breakdown: its name, the cells shown, and the share drawn as a
    bar (None: no bar)."""

    name: str
    cells: list[str]
    share: Share | None = None


@dataclass
class Indicator:
    """One indicator as the dashboard shows it."""

    key: str
    title: Promise
    definition: Promise
    wording: str
    target: str
    actual: str
    status: Status
    as_of: dt.date | None
    share: Share | None = None
    note: str = ""
    headers: list[Promise] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    chart: Chart | None = None
    """The per-township figures drawn (a bureau pastes it into its report)."""

    @property
    def status_label(self) -> Promise:
        return STATUS_LABELS[self.status]

    @property
    def tag(self) -> str:
        return STATUS_TAGS.get(self.status, "")


def _township_names(user: Staff) -> dict[str, str]:
    return {code: name for code, name in townships().items() if user.covers(code)}


def _rows(user: Staff) -> list[FacilityRow]:
    return [facility_row(f) for f in facilities_for(user)]


def _latest(user: Staff) -> dt.date | None:
    """The day of the facilities' latest value: their last change or last inspection."""
    changed = facilities_for(user).aggregate(last=Max("changed_on"))["last"]
    inspected = Inspection.objects.filter(
        facility__division_code__startswith=user.division_code or "-"
    ).aggregate(last=Max("inspected_on"))["last"]
    days = [d for d in (changed, inspected) if d is not None]
    return max(days) if days else None


def beds_indicator(user: Staff, rows: list[FacilityRow], on: dt.date) -> Indicator:
    """Institution beds against 3,560 (the district's target)."""
    names = _township_names(user)
    by_township = indicators.beds(rows, on)
    total = sum(by_township.values())
    whole = user.division_code == DISTRICT_CODE
    target = indicators.BEDS_TARGET
    counts = {
        code: sum(1 for r in rows if r.institution and r.operating(on) and r.township == code)
        for code in names
    }
    return Indicator(
        "beds",
        gettext_lazy("养老机构床位数"),
        gettext_lazy("当日运营中的养老机构床位数之和（日间照料中心和已停业的机构不计）。"),
        "养老机构床位达到3560张以上",
        _("≥ %(target)s 张（全区）") % {"target": f"{target:,}"},
        _("%(beds)s 张") % {"beds": f"{total:,}"},
        indicators.beds_status(total, whole),
        _latest(user),
        # A township's beds against the district's target would read as a shortfall: no bar.
        Share(min(total, target), target) if whole else None,
        "" if whole else _("目标按全区考核，本页只显示您辖区内的床位"),
        [gettext_lazy("乡镇（街道）"), gettext_lazy("运营中的养老机构"), gettext_lazy("床位")],
        [
            Row(name, [str(counts[code]), f"{by_township.get(code, 0):,}"])
            for code, name in names.items()
        ],
        Chart(
            key="plan-beds-by-township",
            title=gettext_lazy("各乡镇（街道）运营中的养老机构床位"),
            categories=list(names.values()),
            series=[Series(gettext_lazy("床位"), [by_township.get(c, 0) for c in names])],
            unit=gettext_lazy("张"),
            horizontal=True,
            category_label=gettext_lazy("乡镇（街道）"),
            export_title=_dated(_("各乡镇（街道）运营中的养老机构床位"), on),
        ),
    )


def coverage_indicator(user: Staff, rows: list[FacilityRow], on: dt.date) -> Indicator:
    """Medical service coverage of institutions and day-care centres against 100 %."""
    names = _township_names(user)
    by_township = indicators.coverage(rows, on)
    total = indicators.total(by_township.values())
    return Indicator(
        "medical_coverage",
        gettext_lazy("养老机构、日间照料中心医疗卫生服务覆盖率"),
        gettext_lazy(
            "当日运营中的养老机构和日间照料中心中，当日有医疗卫生服务安排的比例：设有内设医疗"
            "机构，或与医疗机构签订的协议在有效期内（协议已到期的不计）。"
        ),
        "养老机构、日间照料中心的医疗卫生服务覆盖率达到100%",
        "100%",
        _("%(part)s / %(whole)s 家（%(percent)s%%）")
        % {"part": total.part, "whole": total.whole, "percent": total.percent or "—"},
        indicators.coverage_status(total),
        _latest(user),
        total,
        "",
        [gettext_lazy("乡镇（街道）"), gettext_lazy("已覆盖"), gettext_lazy("运营中")],
        [
            Row(name, [str(share.part), str(share.whole)], share)
            for code, name in names.items()
            for share in [by_township.get(code, Share(0, 0))]
        ],
        Chart(
            key="plan-medical-coverage-by-township",
            title=gettext_lazy("各乡镇（街道）医疗卫生服务覆盖率"),
            categories=list(names.values()),
            series=[Series(gettext_lazy("覆盖率"), [_percent(by_township.get(c)) for c in names])],
            unit="%",
            horizontal=True,
            notes=[gettext_lazy("没有运营中机构的乡镇（街道）无覆盖率，图中留空。")],
            category_label=gettext_lazy("乡镇（街道）"),
            export_title=_dated(_("各乡镇（街道）医疗卫生服务覆盖率"), on),
            decimals=1,
        ),
    )


def _dated(title: str, on: dt.date) -> str:
    """A chart's title for its saved image: the plan indicator's day goes with it."""
    return _("%(title)s，%(day)s") % {"title": title, "day": f"{on:%Y-%m-%d}"}


def _percent(share: Share | None) -> float | None:
    """A township's coverage in per cent (None: no facility operating there)."""
    value = share.value if share is not None else None
    return None if value is None else round(float(value) * 100, 1)


def orphan_indicator(on: dt.date) -> Indicator:
    """The orphan allowance against the dibao standard, from the rules in force."""
    link = indicators.orphan_link(system(), on)

    def yuan(fen: int | None) -> str:
        return _("%(yuan)s 元") % {"yuan": f"{fen / 100:,.2f}"} if fen is not None else _("未知")

    ratio = f"{float(link.ratio):.2f}" if link.ratio is not None else "—"
    return Indicator(
        "orphan_allowance",
        gettext_lazy("孤儿养育标准随低保标准调整"),
        gettext_lazy(
            "当日执行的孤儿基本生活保障标准，是否高于最近一次城市低保标准调整生效前一日的标准；"
            "并列出两者及其比值。任一标准未知的，结果未知。"
        ),
        "孤儿养育标准随城市低保标准调整逐步提高",
        _("随低保标准调整而提高"),
        _("孤儿 %(orphan)s，低保 %(standard)s（比值 %(ratio)s）")
        % {"orphan": yuan(link.allowance), "standard": yuan(link.standard), "ratio": ratio},
        link.status,
        max(link.changed_on, link.since),
        None,
        _("最近一次低保标准调整：%(day)s 起；调整前一日孤儿标准：%(before)s")
        % {"day": link.changed_on.isoformat(), "before": yuan(link.before)},
    )


def counselling_indicator(user: Staff, on: dt.date) -> Indicator:
    """Where marriage and family counselling runs: the registry and each township."""
    names = _township_names(user)
    points = points_for(user)
    rows = [
        PointRow(p.division_code, p.venue == Venue.MARRIAGE_REGISTRY, p.started_on, p.ended_on)
        for p in points
    ]
    district = DISTRICT_CODE if user.covers(DISTRICT_CODE) else None
    units = indicators.counselling(rows, list(names), district, on)
    total = Share(sum(units.values()), len(units))
    changed = points.aggregate(last=Max("changed_on"))["last"]
    labels = {DISTRICT_CODE: str(Venue.MARRIAGE_REGISTRY.label), **names}
    yes, no = _("已开展"), _("未开展")
    return Indicator(
        "counselling",
        gettext_lazy("婚姻家庭辅导服务开展率"),
        gettext_lazy(
            "当日开展婚姻家庭辅导服务的服务单元所占比例；服务单元为区婚姻登记机关和各乡镇"
            "（街道），有一处服务场所当日在开展服务即计为已开展。规划未公布该指标的定义，此为本"
            "平台的口径。"
        ),
        "进一步提高婚姻家庭辅导服务开展率",
        _("未知"),
        _("%(part)s / %(whole)s 个服务单元（%(percent)s%%）")
        % {"part": total.part, "whole": total.whole, "percent": total.percent or "—"},
        Status.UNKNOWN,
        changed,
        total,
        _("规划只要求“进一步提高”，未公布目标值和基期值"),
        [gettext_lazy("服务单元"), gettext_lazy("开展情况")],
        [Row(labels[code], [yes if running else no]) for code, running in units.items()],
    )


def dashboard(user: Staff, on: dt.date) -> list[Indicator]:
    """The plan's indicators on ``on``, over the user's jurisdiction."""
    rows = _rows(user)
    return [
        beds_indicator(user, rows, on),
        coverage_indicator(user, rows, on),
        orphan_indicator(on),
        counselling_indicator(user, on),
    ]


def has_demo_data(user: Staff) -> bool:
    """Whether the registers shown hold the demo's fictitious records."""
    return (
        facilities_for(user).filter(demo=True).exists()
        or points_for(user).filter(demo=True).exists()
    )


def facility_row(facility: Facility) -> FacilityRow:
    """The facility as the indicators read it."""
    return FacilityRow(
        facility.division_code,
        facility.kind == Kind.INSTITUTION,
        facility.beds,
        facility.opened_on,
        facility.closed_on,
        facility.medical,
        facility.medical_start,
        facility.medical_end,
    )
