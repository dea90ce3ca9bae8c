"""The audit log for auditors, administrators and the district director: every event of their
jurisdiction, newest first, filtered by user, action, record, household and dates, readable
(labels, yuan, masked IDs) and exported to xlsx; with each event's number in the hash chain and
how far the chain is verified (``status``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from jiuzhu.web.audit import export
from jiuzhu.web.audit.actions import record_export
from jiuzhu.web.audit.forms import AuditFilterForm
from jiuzhu.web.audit.presenting import Presenter
from jiuzhu.web.audit.queries import filtered
from jiuzhu.web.audit.status import chain_status
from jiuzhu.web.core.users import staff

PER_PAGE = 50


def _form(request: HttpRequest) -> AuditFilterForm:
    if not request.user.has_perm("audit.view"):
        raise PermissionDenied
    data = request.GET.copy()
    data.pop("page", None)
    return AuditFilterForm(request.user, data)


def _page(request: HttpRequest, form: AuditFilterForm, status: int = 200) -> HttpResponse:
    valid = form.is_valid()
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "query": query.urlencode(),
        "rows": [],
        "page": None,
        "chain": chain_status(),
    }
    if valid:
        page = Paginator(filtered(request.user, form.filters()), PER_PAGE).get_page(
            request.GET.get("page")
        )
        context |= {"page": page, "rows": Presenter(request.user).present(page.object_list)}
    return render(request, "audit/log.html", context, status=status if valid else 400)


def audit_log_view(request: HttpRequest) -> HttpResponse:
    """The log; a filter that names nothing real shows a message on its field (status 400)."""
    return _page(request, _form(request))


def export_view(request: HttpRequest) -> HttpResponseBase:
    """The filtered events as xlsx (recorded as an audit event); invalid filters: the page."""
    form = _form(request)
    if not form.is_valid():
        return _page(request, form)
    events = filtered(request.user, form.filters())
    exported = record_export(staff(request), form.filters(), events.count())
    # The file holds what was counted: not the export's own event, nor any recorded since.
    events = events.filter(pk__lt=exported.pk)
    stamp = f"{timezone.localtime():%Y%m%d-%H%M}"
    return FileResponse(
        export.workbook(events, request.user),
        as_attachment=True,
        filename=f"audit-log-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
