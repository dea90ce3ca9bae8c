"""Reading materials and documents, always within the user's jurisdiction (another township's
scan, application or community answers 404 like a missing one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from jiuzhu.reference import division
from jiuzhu.web.cases.materials import MATERIALS
from jiuzhu.web.cases.models import Application, Assessment, Stage
from jiuzhu.web.cases.queries import applications_for
from jiuzhu.web.core.jurisdiction import get_within
from jiuzhu.web.core.users import Staff
from jiuzhu.web.core.workitems import WorkItem, WorkList
from jiuzhu.web.documents.content import place_name
from jiuzhu.web.documents.models import (
    NUMBERED_KINDS,
    DocumentKind,
    IssuedDocument,
    MaterialFile,
    MaterialStatus,
    Office,
    field_label,
)
from jiuzhu.web.documents.workflow import DECIDED, Subject, issue_refusal, upload_refusal
from jiuzhu.web.entitlements.queries import entitlements_for

WORK_ITEMS = 20


def _division(user: Staff) -> str | None:
    if not isinstance(user, Staff) or not user.is_authenticated or not user.division_code:
        return None
    return str(user.division_code)


def scans_for(user: Staff) -> QuerySet[MaterialFile]:
    division_code = _division(user)
    if division_code is None:
        return MaterialFile.objects.none()
    return MaterialFile.objects.filter(division_code__startswith=division_code)


def scan_for(user: Staff, pk: int) -> MaterialFile:
    """Raises Http404 outside the jurisdiction."""
    return get_within(scans_for(user).select_related("application", "uploaded_by"), pk)


# --- the materials checklist --------------------------------------------------------------------


@dataclass
class ChecklistRow:
    """One material of an application: ``status`` is ``scanned`` (active scans, linked),
    ``paper`` (ticked at the counter, no scan), ``missing`` (still owed, 一次性告知) or
    ``withdrawn`` (handed in by a scan that was then withdrawn: to be uploaded again)."""

    code: str
    label: str
    status: str
    scans: list[MaterialFile] = field(default_factory=list)
    on_paper: bool = False

    @property
    def status_label(self) -> str:
        return {
            "scanned": _("已上传扫描件"),
            "paper": _("纸质材料已交"),
            "missing": _("缺少"),
            "withdrawn": _("扫描件已撤回，需重新提交"),
        }[self.status]


def checklist(application: Application) -> list[ChecklistRow]:
    """The 已交材料 checklist: every material the application was registered with, owes, or has
    a scan of, in the order of ``MATERIALS`` (one query)."""
    scans = list(application.material_files.select_related("uploaded_by"))
    active: dict[str, list[MaterialFile]] = {}
    by_scan = set()
    for scan in scans:
        if scan.status == MaterialStatus.ACTIVE:
            active.setdefault(scan.material, []).append(scan)
        if scan.handed_in:
            by_scan.add(scan.material)
    given = set(application.materials)
    missing = set(application.missing_materials)
    rows = []
    for code, label in MATERIALS.items():
        if code not in given | missing | {s.material for s in scans}:
            continue
        on_paper = code in given and code not in by_scan
        if active.get(code):
            status = "scanned"
        elif code in missing:
            status = "missing"
        elif code in by_scan:
            status = "withdrawn"
        elif code in given:
            status = "paper"
        else:
            continue  # only withdrawn scans of a material never owed: in the history only
        rows.append(ChecklistRow(code, str(label), status, active.get(code, []), on_paper))
    return rows


# --- printables ---------------------------------------------------------------------------------


@dataclass
class Printable:
    """A document of an application as the page lists it."""

    kind: str
    label: str
    url: str
    pdf_url: str
    issued: IssuedDocument | None = None
    numbered: bool = False
    can_issue: bool = False
    issue_refusal: str = ""


def available_kinds(application: Application) -> list[str]:
    """The documents an application has now, in the procedure's order."""
    kinds: list[str] = []
    if application.stage == Stage.AWAITING_MATERIALS and application.missing_materials:
        kinds.append(DocumentKind.MISSING_MATERIALS)
    if application.accepted_on is not None:
        kinds += [DocumentKind.ACCEPTANCE, DocumentKind.HOME_VISIT_FORM]
    kinds += [kind for kind, stage in DECIDED.items() if application.stage == stage]
    return kinds


def printables(user: Staff, application: Application) -> list[Printable]:
    issued = {doc.kind: doc for doc in application.issued_documents.all()}
    found = []
    for kind in available_kinds(application):
        numbered = kind in NUMBERED_KINDS
        refusal = issue_refusal(user, kind, application) if numbered else None
        found.append(
            Printable(
                kind=kind,
                label=str(DocumentKind(kind).label),
                url=reverse("documents:application_document", args=[application.pk, kind]),
                pdf_url=reverse("documents:application_pdf", args=[application.pk, kind]),
                issued=issued.get(kind),
                numbered=numbered,
                can_issue=numbered and refusal is None,
                issue_refusal=refusal or "",
            )
        )
    return found


def issued_for(kind: str, subject: Subject) -> IssuedDocument | None:
    """The notice of ``kind`` issued for ``subject``, if any."""
    return subject.issued_documents.filter(kind=kind).first()


def application_documents(user: Staff, application: Application) -> dict[str, object]:
    """What the application page's documents section shows (see
    ``documents/_application_documents.html``)."""
    return {
        "checklist": checklist(application),
        "printables": printables(user, application),
        "upload_refusal": upload_refusal(user, application),
        "history": application.material_files.exclude(status=MaterialStatus.ACTIVE).count(),
    }


def _printed_office_fields(kind: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """Which office values a document prints: a decision names who decided and where to seek
    review or sue, and the township to ask; the township's documents name the township."""
    if kind in NUMBERED_KINDS:
        return [
            ("office", _("发文机关"), ("name", "review_body", "court")),
            ("contact", _("乡镇（街道）"), ("name", "address", "phone")),
        ]
    return [("office", _("发文机关"), ("name", "address", "phone"))]


def warnings(doc: dict[str, object]) -> list[str]:
    """What the print page must warn about: office values not set (printed as 未设置), and facts
    the document could not state."""
    found = []
    for part, whose, names in _printed_office_fields(str(doc.get("kind", ""))):
        values = doc.get(part)
        values = values if isinstance(values, dict) else {}
        unset = [field_label(Office, name) for name in names if not values.get(name)]
        if unset:
            found.append(
                _(
                    "%(whose)s的%(fields)s未设置，文书上显示为“未设置”：请系统管理员在管理后台“文书发文机关”中填写"
                )
                % {"whose": whose, "fields": "、".join(unset)}
            )
    if doc.get("kind") == DocumentKind.APPROVAL and not doc.get("covered"):
        found.append(_("评估未记录保障成员，通知书无法列出保障成员"))
    if doc.get("kind") == DocumentKind.ACCEPTANCE and not doc.get("due"):
        found.append(_("工作日历缺少年份，通知书未写明办结日期"))
    if doc.get("withheld"):
        found.append(
            _("%(count)s件申请的申请人为未成年人，依法不予公示，未列入名单")
            % {"count": doc["withheld"]}
        )
    return found


# --- the public notice --------------------------------------------------------------------------


def published(user: Staff, today: dt.date) -> QuerySet[Application]:
    """Applications of the jurisdiction whose public notice runs today."""
    return applications_for(user).filter(
        stage=Stage.PUBLIC_NOTICE, notice_starts_on__lte=today, notice_ends_on__gte=today
    )


def notice_communities(user: Staff, today: dt.date) -> list[dict[str, object]]:
    """The communities with a notice running today: code, names and the number of entries."""
    rows = (
        published(user, today)
        .values("division_code")
        .annotate(count=Count("pk"))
        .order_by("division_code")
    )
    return [
        {
            "code": row["division_code"],
            "name": place_name(row["division_code"]),
            "township": place_name(row["division_code"][:9]),
            "count": row["count"],
        }
        for row in rows
    ]


def notice_applications(user: Staff, community_code: str, today: dt.date) -> list[Application]:
    """The applications published today in one community of the jurisdiction.

    Raises:
        Http404: not a community of the district, or outside the user's jurisdiction.
    """
    found = division(community_code) if community_code.isdigit() else None
    division_code = _division(user)
    if (
        found is None
        or found.level != "community"
        or division_code is None
        or not community_code.startswith(division_code)
    ):
        raise Http404
    return list(
        published(user, today)
        .filter(division_code=community_code)
        .select_related("applicant", "household")
        .prefetch_related(
            Prefetch("assessments", queryset=Assessment.objects.order_by("-ran_at", "-id"))
        )
        .order_by("number")
    )


# --- work items ---------------------------------------------------------------------------------


def work_items(user: Staff, today: dt.date) -> WorkList:
    """Decisions and terminations whose written notice is neither issued here nor recorded as
    delivered, for those who issue them (a count and at most 20 items)."""
    items: list[WorkItem] = []
    total = 0
    if user.has_perm("cases.notify"):
        decided = (
            applications_for(user)
            .filter(stage__in=list(DECIDED.values()), notice_issued_on__isnull=True)
            .exclude(issued_documents__kind__in=list(DECIDED))
        )
        total += decided.count()
        for application in decided.select_related("applicant").order_by("decided_on", "pk")[
            :WORK_ITEMS
        ]:
            kind = (
                DocumentKind.APPROVAL
                if application.stage == Stage.APPROVED
                else DocumentKind.REFUSAL
            )
            items.append(
                WorkItem(
                    title=f"{application.number} {application.applicant.name}",
                    url=reverse("documents:application_document", args=[application.pk, kind]),
                    state=str(application.get_stage_display()),
                    action=_("出具%(title)s") % {"title": DocumentKind(kind).label},
                    note=_("决定日期 %(date)s") % {"date": application.decided_on},
                )
            )
    if user.has_perm("documents.issue_termination"):
        ended = (
            entitlements_for(user)
            .filter(terminated_on__isnull=False, notice_issued_on__isnull=True)
            .exclude(issued_documents__kind=DocumentKind.TERMINATION)
        )
        total += ended.count()
        for entitlement in ended.order_by("terminated_on", "pk")[: max(WORK_ITEMS - len(items), 0)]:
            items.append(
                WorkItem(
                    title=entitlement.number,
                    url=reverse("documents:termination", args=[entitlement.pk]),
                    state=str(entitlement.get_status_display()),
                    action=_("出具终止通知书"),
                    note=_("决定日期 %(date)s") % {"date": entitlement.terminated_on},
                )
            )
    return WorkList(kind=str(_("待出具的通知书")), items=items, total=total)
