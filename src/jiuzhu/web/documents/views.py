"""Pages of materials and documents: an application's scans (upload, replace, withdraw, view),
the print page and PDF of each document, issuing a numbered notice, and the public notice by
community. Views validate forms and call actions; every read is filtered to the user's
jurisdiction (another township's application, scan or community answers 404)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.web.audit.actions import record
from jiuzhu.web.cases.materials import MATERIALS
from jiuzhu.web.cases.models import Application
from jiuzhu.web.cases.queries import application_for
from jiuzhu.web.core import clock
from jiuzhu.web.core.forms import Cleaned
from jiuzhu.web.core.transitions import NotPermitted, Text
from jiuzhu.web.core.users import staff
from jiuzhu.web.core.views import add_errors, messages_of
from jiuzhu.web.documents import actions, content, storage
from jiuzhu.web.documents import render as documents_render
from jiuzhu.web.documents.forms import ReplaceForm, UploadForm, WithdrawForm
from jiuzhu.web.documents.models import NUMBERED_KINDS, DocumentKind, IssuedDocument, MaterialFile
from jiuzhu.web.documents.queries import (
    available_kinds,
    checklist,
    issued_for,
    notice_applications,
    notice_communities,
    scan_for,
    warnings,
)
from jiuzhu.web.documents.workflow import MATERIAL, Subject, issue_refusal, upload_refusal
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.entitlements.queries import entitlement_for
from jiuzhu.web.payments.models import Recovery
from jiuzhu.web.payments.queries import recovery_for

S = TypeVar("S", bound=Subject)

# --- the print page and the PDF ---------------------------------------------------------------


def _print_page(
    request: HttpRequest,
    kind: str,
    doc: dict[str, object],
    *,
    back: tuple[str, str],
    pdf_url: str,
    issued: IssuedDocument | None = None,
    subject: Subject | None = None,
    issue_url: str = "",
    status: int = 200,
    division_code: str = "",
) -> HttpResponse:
    """The site's page around a document: warnings, print and PDF, and (for a numbered notice
    not yet issued) the preview marked 样稿 with the issue button for who may issue it. Every
    showing is audited: the page is what gets printed, with names and masked IDs."""
    record(request.user, "documents.print", subject, division_code=division_code, kind=kind)
    numbered = kind in NUMBERED_KINDS
    draft = numbered and issued is None
    refusal = issue_refusal(request.user, kind, subject) if draft and subject is not None else None
    return render(
        request,
        "documents/print.html",
        {
            "title": DocumentKind(kind).label,
            "body": documents_render.body(kind, doc, draft=draft),
            "warnings": [] if issued else warnings(doc),
            "numbered": numbered,
            "draft": draft,
            "issued": issued,
            "can_issue": draft and refusal is None,
            "issue_refusal": refusal or "",
            "issue_url": issue_url,
            "pdf_url": pdf_url,
            "back_url": back[0],
            "back_label": back[1],
        },
        status=status,
    )


def _pdf_response(
    request: HttpRequest,
    kind: str,
    doc: dict[str, object],
    filename: str,
    subject: Subject | None = None,
    division_code: str = "",
) -> HttpResponse:
    """The document as a PDF download (audited, as every export is)."""
    record(request.user, "documents.download_pdf", subject, division_code=division_code, kind=kind)
    response = HttpResponse(documents_render.pdf(kind, doc), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _viewable(request: HttpRequest, pk: int) -> Application:
    application = application_for(staff(request), pk)
    if not request.user.has_perm("cases.view", application):
        raise PermissionDenied
    return application


def _application_document(
    application: Application, kind: str
) -> tuple[dict[str, object], IssuedDocument | None]:
    """The document's data: as issued (a numbered notice), or built from today's records.

    Raises:
        Http404: not a document the application has (now).
    """
    if kind not in DocumentKind.values or kind not in available_kinds(application):
        raise Http404
    issued = issued_for(kind, application) if kind in NUMBERED_KINDS else None
    if issued is not None:
        return issued.data, issued
    return content.BUILDERS[DocumentKind(kind)](application, clock.today()), None


def _application_page(
    request: HttpRequest, application: Application, kind: str, status: int = 200
) -> HttpResponse:
    doc, issued = _application_document(application, kind)
    return _print_page(
        request,
        kind,
        doc,
        back=(reverse("cases:application", args=[application.pk]), application.number),
        pdf_url=reverse("documents:application_pdf", args=[application.pk, kind]),
        issued=issued,
        subject=application,
        issue_url=reverse("documents:issue", args=[application.pk, kind]),
        status=status,
    )


def application_document_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    return _application_page(request, _viewable(request, pk), kind)


def application_pdf_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    application = _viewable(request, pk)
    doc, issued = _application_document(application, kind)
    if kind in NUMBERED_KINDS and issued is None:
        messages.info(request, _("通知书出具并编号后才能下载 PDF"))
        return redirect("documents:application_document", pk=pk, kind=kind)
    return _pdf_response(request, kind, doc, f"{application.number}-{kind}.pdf", application)


def _issue(request: HttpRequest, kind: str, subject: Subject) -> str | None:
    """Issue the notice; the refusal to show (None when issued)."""
    try:
        issued = actions.issue_notice(staff(request), kind, subject)
    except NotPermitted as exc:
        return str(exc)
    except ValidationError as exc:
        return messages_of(exc)
    messages.success(request, _("已出具，文号 %(number)s") % {"number": issued.number})
    return None


def issue_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Issue (number) an application's decision notice; a refusal re-renders the page (400).
    Like ``core.views.post_only``, a GET goes to the page — after the jurisdiction check, so
    that another township's URL answers 404 whatever the method."""
    application = _viewable(request, pk)
    if kind not in NUMBERED_KINDS:
        raise Http404
    _application_document(application, kind)  # 404 when the application has no such notice
    if request.method != "POST":
        return redirect("documents:application_document", pk=pk, kind=kind)
    refusal = _issue(request, kind, application)
    if refusal:
        messages.error(request, refusal)
        return _application_page(request, application, kind, status=400)
    return redirect("documents:application_document", pk=pk, kind=kind)


# --- numbered notices of one subject (an entitlement's termination, a fraud's decision) ------


def _terminated(request: HttpRequest, pk: int) -> Entitlement:
    entitlement = entitlement_for(staff(request), pk)
    if not request.user.has_perm("entitlements.view", entitlement):
        raise PermissionDenied
    if entitlement.terminated_on is None:
        raise Http404
    return entitlement


def _fraud(request: HttpRequest, pk: int) -> Recovery:
    recovery = recovery_for(staff(request), pk)
    if not request.user.has_perm("payments.view", recovery.entitlement.household):
        raise PermissionDenied
    if recovery.kind != Recovery.RecoveryKind.FRAUD:
        raise Http404
    return recovery


def _recovery_back(recovery: Recovery) -> tuple[str, str]:
    ledger = reverse("payments:household_ledger", args=[recovery.entitlement.household_id])
    return f"{ledger}#recovery-{recovery.pk}", _("发放记录")


@dataclass(frozen=True)
class SubjectNotice(Generic[S]):
    """A numbered notice of one subject: its page, PDF and issue URLs are named ``url``,
    ``url_pdf`` and ``url_issue`` and take the subject's primary key."""

    kind: DocumentKind
    url: str
    load: Callable[[HttpRequest, int], S]
    """The subject of the URL, within the user's jurisdiction (PermissionDenied, Http404)."""
    build: Callable[[S, dt.date], dict[str, object]]
    """What the notice prints before it is issued."""
    back: Callable[[S], tuple[str, str]]
    """Where the page links back to, and the link's text."""
    filename: Callable[[S], str]
    not_issued: Text
    """What the PDF link says while the notice is not issued (a numbered notice is only
    downloaded once issued)."""


SUBJECT_NOTICES: dict[str, SubjectNotice[Any]] = {
    "termination": SubjectNotice[Entitlement](
        DocumentKind.TERMINATION,
        "termination",
        _terminated,
        content.termination,
        lambda e: (reverse("entitlements:detail", args=[e.pk]), e.number),
        lambda e: f"{e.number}-termination.pdf",
        gettext_lazy("通知书出具并编号后才能下载 PDF"),
    ),
    "penalty_notice": SubjectNotice[Recovery](
        DocumentKind.PENALTY_NOTICE,
        "penalty_notice",
        _fraud,
        content.penalty_notice,
        _recovery_back,
        lambda r: f"{r.entitlement.number}-penalty-notice-{r.pk}.pdf",
        gettext_lazy("告知书出具并编号后才能下载 PDF"),
    ),
    "fraud_decision": SubjectNotice[Recovery](
        DocumentKind.FRAUD_DECISION,
        "fraud_decision",
        _fraud,
        content.fraud_decision,
        _recovery_back,
        lambda r: f"{r.entitlement.number}-fraud-{r.pk}.pdf",
        gettext_lazy("决定书出具并编号后才能下载 PDF"),
    ),
}
"""The notices of one subject by the name their URLs pass (``notice``)."""


def _subject_notice_page(
    request: HttpRequest, notice: SubjectNotice[S], subject: S, status: int = 200
) -> HttpResponse:
    issued = issued_for(notice.kind, subject)
    doc = issued.data if issued else notice.build(subject, clock.today())
    return _print_page(
        request,
        notice.kind,
        doc,
        back=notice.back(subject),
        pdf_url=reverse(f"documents:{notice.url}_pdf", args=[subject.pk]),
        issued=issued,
        subject=subject,
        issue_url=reverse(f"documents:{notice.url}_issue", args=[subject.pk]),
        status=status,
    )


def subject_notice_view(request: HttpRequest, pk: int, notice: str) -> HttpResponse:
    found = SUBJECT_NOTICES[notice]
    return _subject_notice_page(request, found, found.load(request, pk))


def subject_notice_pdf_view(request: HttpRequest, pk: int, notice: str) -> HttpResponse:
    found = SUBJECT_NOTICES[notice]
    subject = found.load(request, pk)
    issued = issued_for(found.kind, subject)
    if issued is None:
        messages.info(request, str(found.not_issued))
        return redirect(f"documents:{found.url}", pk=pk)
    return _pdf_response(request, found.kind, issued.data, found.filename(subject), subject)


def subject_notice_issue_view(request: HttpRequest, pk: int, notice: str) -> HttpResponse:
    found = SUBJECT_NOTICES[notice]
    subject = found.load(request, pk)
    if request.method != "POST":  # see issue_view
        return redirect(f"documents:{found.url}", pk=pk)
    refusal = _issue(request, found.kind, subject)
    if refusal:
        messages.error(request, refusal)
        return _subject_notice_page(request, found, subject, status=400)
    return redirect(f"documents:{found.url}", pk=pk)


# --- the public notice --------------------------------------------------------------------------


def _may_read_cases(request: HttpRequest) -> None:
    if not request.user.has_perm("cases.view"):
        raise PermissionDenied


def public_notices_view(request: HttpRequest) -> HttpResponse:
    """The communities of the jurisdiction with a notice running today, each printable."""
    _may_read_cases(request)
    today = clock.today()
    return render(
        request,
        "documents/public_notices.html",
        {"communities": notice_communities(staff(request), today), "today": today},
    )


def _notice(request: HttpRequest, code: str) -> dict[str, object]:
    _may_read_cases(request)
    today = clock.today()
    return content.public_notice(code, notice_applications(staff(request), code, today), today)


def public_notice_view(request: HttpRequest, code: str) -> HttpResponse:
    doc = _notice(request, code)
    return _print_page(
        request,
        DocumentKind.PUBLIC_NOTICE,
        doc,
        back=(reverse("documents:public_notices"), str(DocumentKind.PUBLIC_NOTICE.label)),
        pdf_url=reverse("documents:public_notice_pdf", args=[code]),
        division_code=code,
    )


def public_notice_pdf_view(request: HttpRequest, code: str) -> HttpResponse:
    doc = _notice(request, code)
    return _pdf_response(
        request, DocumentKind.PUBLIC_NOTICE, doc, f"public-notice-{code}.pdf", division_code=code
    )


# --- materials ----------------------------------------------------------------------------------


def _materials_page(
    request: HttpRequest,
    application: Application,
    *,
    upload_form: UploadForm | None = None,
    bound: dict[int, dict[str, object]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The application's scans: the checklist, the upload form, every scan with its history and
    the replace and withdraw forms the user may use (``bound``: forms with errors, by scan)."""
    today = clock.today()
    bound = bound or {}
    rows = [
        {
            "scan": scan,
            "allowed": MATERIAL.forms_allowed(request.user, scan, today),
            "replace": bound.get(scan.pk, {}).get("replace") or ReplaceForm(),
            "withdraw": bound.get(scan.pk, {}).get("withdraw") or WithdrawForm(),
        }
        for scan in application.material_files.select_related("uploaded_by", "changed_by")
    ]
    return render(
        request,
        "documents/materials.html",
        {
            "application": application,
            "checklist": checklist(application),
            "rows": rows,
            "upload_refusal": upload_refusal(request.user, application),
            "upload_form": upload_form or UploadForm(missing=list(application.missing_materials)),
            "max_mb": storage.max_bytes() // 1024 // 1024,
        },
        status=status,
    )


def materials_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _materials_page(request, _viewable(request, pk))


def _uploaded_message(application: Application, material: str) -> str:
    if application.missing_materials:
        return _("已上传%(material)s扫描件并记为补交，仍缺少：%(list)s") % {
            "material": MATERIALS[material],
            "list": "、".join(str(MATERIALS[m]) for m in application.missing_materials),
        }
    return _("已上传%(material)s扫描件") % {"material": MATERIALS[material]}


def upload_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a scan; back to the application page or the materials page it came from."""
    application = _viewable(request, pk)
    if request.method != "POST":  # see issue_view
        return redirect("documents:materials", pk=pk)
    form = UploadForm(request.POST, request.FILES)
    back = (
        ("cases:application", pk)
        if request.POST.get("back") == "application"
        else ("documents:materials", pk)
    )
    if form.is_valid():
        try:
            scan = actions.upload_material(
                staff(request),
                application,
                material=form.cleaned_data["material"],
                upload=form.cleaned_data["file"],
            )
        except NotPermitted as exc:
            messages.error(request, str(exc))
            return redirect(*back)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            application.refresh_from_db()
            message = _uploaded_message(application, scan.material)
            if scan.handed_in and not application.missing_materials:
                message = _("已上传扫描件，材料已补齐，申请已受理")
            messages.success(request, message)
            return redirect(*back)
    return _materials_page(request, application, upload_form=form, status=400)


def _scan_change(
    request: HttpRequest,
    pk: int,
    name: str,
    form_class: type[ReplaceForm] | type[WithdrawForm],
    run: Callable[[MaterialFile, Cleaned], object],
    done: str,
) -> HttpResponse:
    scan = scan_for(staff(request), pk)
    application = _viewable(request, scan.application_id)
    if request.method != "POST":  # see issue_view
        return redirect("documents:materials", pk=application.pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            run(scan, form.cleaned_data)
        except NotPermitted as exc:
            messages.error(request, str(exc))
            return redirect("documents:materials", pk=application.pk)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("documents:materials", pk=application.pk)
    return _materials_page(request, application, bound={scan.pk: {name: form}}, status=400)


def replace_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _scan_change(
        request,
        pk,
        "replace",
        ReplaceForm,
        lambda scan, data: actions.replace_material(staff(request), scan, upload=data["file"]),
        _("已替换扫描件，原文件保留在历史中"),
    )


def withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _scan_change(
        request,
        pk,
        "withdraw",
        WithdrawForm,
        lambda scan, data: actions.withdraw_material(staff(request), scan, reason=data["reason"]),
        _("已撤回扫描件，原文件保留在历史中"),
    )


def scan_view(request: HttpRequest, pk: int) -> FileResponse:
    """The scanned file itself, for who may read its application; every view is audited."""
    scan = scan_for(staff(request), pk)
    if not request.user.has_perm("cases.view", scan.application):
        raise PermissionDenied
    try:
        path = storage.absolute(scan.path)
    except FileNotFoundError:
        raise Http404 from None
    record(request.user, "documents.view_material", scan, material=scan.material)
    response = FileResponse(
        path.open("rb"),
        content_type=scan.file_type,
        filename=f"{scan.application.number}-{scan.material}-{scan.pk}.{scan.extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
