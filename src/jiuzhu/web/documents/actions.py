"""Every change to materials and documents: attach, replace or withdraw a scan; issue a numbered
notice; fill the demo's offices. Each action checks permission and state on the locked row,
writes in one transaction and records an audit event; a refused action writes nothing (a file
already written for it is removed again).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.reference import baodi_divisions
from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.audit.actions import record, snapshot
from jiuzhu.web.cases.actions import complete_materials
from jiuzhu.web.cases.materials import MATERIALS
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.core import clock
from jiuzhu.web.core.locks import locked
from jiuzhu.web.core.transitions import NotPermitted, Refused
from jiuzhu.web.core.users import Staff
from jiuzhu.web.documents import content, storage
from jiuzhu.web.documents.models import (
    NUMBERED_KINDS,
    DocumentKind,
    FileType,
    IssuedDocument,
    MaterialFile,
    MaterialStatus,
    NumberSequence,
    Office,
    field_label,
)
from jiuzhu.web.documents.workflow import (
    MATERIAL,
    Subject,
    issue_permission,
    issue_refusal,
    notice_state_refusal,
    upload_refusal,
)
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.payments import penalty
from jiuzhu.web.payments.models import Recovery

REQUIRED_FOR_NOTICE = ("name", "review_body", "court")
"""Office values a numbered notice cannot be issued without: who decides, and where the
resident may seek review or sue (a decision must say so, 最低生活保障审核确认办法 Art. 38)."""

NUMBER_WORDS = {
    DocumentKind.APPROVAL: "救助确认",
    DocumentKind.REFUSAL: "救助不予确认",
    DocumentKind.TERMINATION: "救助终止",
    DocumentKind.PENALTY_NOTICE: "民政罚告",
    DocumentKind.FRAUD_DECISION: "民政罚",
}
"""The word of each kind in its document number: 宝平街道救助确认〔2025〕3号."""


def _validated(upload: UploadedFile[bytes] | None) -> tuple[bytes, FileType]:
    """The upload's bytes and recognised type.

    Raises:
        ValidationError (on ``file``): no file, an empty file, a file over the size limit, or
            content that is not PDF, JPEG or PNG whatever its name says.
    """
    if upload is None:
        raise ValidationError({"file": _("请选择要上传的文件")})
    limit = storage.max_bytes()
    if not upload.size:
        raise ValidationError({"file": _("文件为空，请重新扫描后上传")})
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("文件大小 %(size).1f MB，超过上限 %(limit)d MB")
                % {"size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024}
            }
        )
    data = storage.read(upload)
    file_type = storage.detect(data[:16])
    if file_type is None:
        raise ValidationError(
            {"file": _("文件内容不是 PDF、JPEG 或 PNG（按文件内容判断，与文件名无关）")}
        )
    return data, file_type


def _check_upload(user: Staff, application: Application) -> None:
    reason = upload_refusal(user, application)
    if reason is None:
        return
    if not user.has_perm("cases.apply", application):
        raise NotPermitted(reason)
    raise Refused(reason)


def _store(application: Application, data: bytes, file_type: FileType) -> storage.Stored:
    return storage.store(data, file_type, application.division_code[:9], clock.today().year)


def upload_material(
    user: Staff, application: Application, *, material: str, upload: UploadedFile[bytes] | None
) -> MaterialFile:
    """Attach the scan of one material to an open application. A material still missing from
    the 一次性告知 counts as handed in: ``cases.actions.complete_materials`` records it (and
    accepts the application once nothing is missing).

    Raises:
        ValidationError: an unknown material, no file, an empty or oversize file, content that
            is not PDF, JPEG or PNG; Refused: the application is closed; NotPermitted: the user
            does not take applications here.
    """
    if material not in MATERIALS:
        raise ValidationError({"material": _("请选择材料类型")})
    data, file_type = _validated(upload)
    stored: storage.Stored | None = None
    try:
        with transaction.atomic():
            application = locked(application)
            _check_upload(user, application)
            stored = _store(application, data, file_type)
            handed_in = (
                application.stage == Stage.AWAITING_MATERIALS
                and material in application.missing_materials
            )
            scan = MaterialFile.objects.create(
                application=application,
                division_code=application.division_code,
                material=material,
                path=stored.path,
                file_type=file_type,
                size=stored.size,
                sha256=stored.sha256,
                original_name=(getattr(upload, "name", "") or "")[:200],
                handed_in=handed_in,
                uploaded_by=user,
            )
            record(
                user,
                "documents.upload",
                scan,
                after=snapshot(scan, ["application", "material", "file_type", "size", "sha256"]),
                handed_in=handed_in,
            )
            if handed_in:
                complete_materials(user, application, [material])
    except BaseException:
        if stored is not None:
            storage.discard(stored)
        raise
    return scan


def replace_material(
    user: Staff, scan: MaterialFile, *, upload: UploadedFile[bytes] | None
) -> MaterialFile:
    """Replace a wrong scan by another file of the same material; the old one is kept, marked
    replaced and linked to the new one.

    Raises:
        ValidationError: the file is refused (see ``upload_material``); Refused: the scan is
            not active or the application is closed; NotPermitted.
    """
    data, file_type = _validated(upload)
    stored: storage.Stored | None = None
    try:
        with transaction.atomic():
            scan = locked(scan, "application")
            MATERIAL.check(user, scan, "replace", clock.today())
            stored = _store(scan.application, data, file_type)
            new = MaterialFile.objects.create(
                application=scan.application,
                division_code=scan.division_code,
                material=scan.material,
                path=stored.path,
                file_type=file_type,
                size=stored.size,
                sha256=stored.sha256,
                original_name=(getattr(upload, "name", "") or "")[:200],
                handed_in=scan.handed_in,
                uploaded_by=user,
            )
            before = snapshot(scan, ["status", "replaced_by"])
            scan.status = MaterialStatus.REPLACED
            scan.replaced_by = new
            scan.changed_by = user
            scan.changed_at = timezone.now()
            scan.save()
            record(
                user,
                "documents.replace",
                scan,
                before=before,
                after=snapshot(scan, ["status", "replaced_by"]),
            )
    except BaseException:
        if stored is not None:
            storage.discard(stored)
        raise
    return new


def withdraw_material(user: Staff, scan: MaterialFile, *, reason: str) -> MaterialFile:
    """Withdraw a scan uploaded by mistake, with the reason; the file and its record stay.

    Raises:
        ValidationError: no reason; Refused: not active or the application closed; NotPermitted.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("请写明撤回理由")})
    with transaction.atomic():
        scan = locked(scan, "application")
        MATERIAL.check(user, scan, "withdraw", clock.today())
        before = snapshot(scan, ["status", "withdrawal_reason"])
        scan.status = MaterialStatus.WITHDRAWN
        scan.withdrawal_reason = reason.strip()[:200]
        scan.changed_by = user
        scan.changed_at = timezone.now()
        scan.save()
        record(
            user,
            "documents.withdraw",
            scan,
            before=before,
            after=snapshot(scan, ["status", "withdrawal_reason"]),
        )
    return scan


def take_number(township_code: str, year: int, kind: str) -> tuple[int, str]:
    """The next number of the township's sequence of ``kind`` for ``year`` and its text.

    Must run inside the transaction that records the issued document: the sequence row stays
    locked (``select_for_update``) until that transaction ends, so two issuances at once get
    consecutive numbers, and a rollback gives the number back (no gap).
    """
    NumberSequence.objects.get_or_create(township_code=township_code, year=year, kind=kind)
    sequence = NumberSequence.objects.select_for_update().get(
        township_code=township_code, year=year, kind=kind
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    word = NUMBER_WORDS[DocumentKind(kind)]
    return sequence.last, f"{content.place_name(township_code)}{word}〔{year}〕{sequence.last}号"


def _missing_office_values(data: dict[str, object]) -> list[str]:
    office = data["office"]
    values = office if isinstance(office, dict) else {}
    return [field_label(Office, name) for name in REQUIRED_FOR_NOTICE if not values.get(name)]


def issue_notice(user: Staff, kind: str, subject: Subject) -> IssuedDocument:
    """Issue the numbered notice of ``kind`` (approval, refusal, termination, a fraud's prior
    notice or decision) for ``subject``: take the next number (the township's; a fraud's
    notices: the district bureau's) and record what is printed, in one transaction; a fraud's
    prior notice or decision is recorded on the recovery too (``payments.penalty``). Issuing again returns the notice
    already issued (a reprint shows the same number and text).

    Raises:
        Refused: no such decision (yet); NotPermitted: the user may not issue it;
        ValidationError: the issuing office's name, review body or court is not set.
    """
    if kind not in NUMBERED_KINDS:
        raise Refused(_("该文书不编号，无需出具"))
    today = clock.today()
    with transaction.atomic():
        subject = _locked(kind, subject)
        reason = notice_state_refusal(kind, subject)
        if reason:
            raise Refused(reason)
        if not user.has_perm(issue_permission(kind), subject):
            raise NotPermitted(issue_refusal(user, kind, subject) or "")
        found = _issued(kind, subject)
        if found is not None:
            return found
        data = _content(kind, subject, today)
        missing = _missing_office_values(data)
        if missing:
            raise ValidationError(
                _("%(fields)s未设置：请系统管理员在管理后台“文书发文机关”中填写后再出具")
                % {"fields": "、".join(missing)}
            )
        issuer = DISTRICT_CODE if isinstance(subject, Recovery) else subject.division_code[:9]
        sequence, number = take_number(issuer, today.year, kind)
        data["number"] = number
        issued = IssuedDocument.objects.create(
            kind=kind,
            number=number,
            township_code=issuer,
            year=today.year,
            sequence=sequence,
            application=subject if isinstance(subject, Application) else None,
            entitlement=subject if isinstance(subject, Entitlement) else None,
            recovery=subject if isinstance(subject, Recovery) else None,
            division_code=subject.division_code,
            issued_by=user,
            data=data,
        )
        record(user, "documents.issue", issued, kind=kind, number=number)
        if kind == DocumentKind.PENALTY_NOTICE:
            penalty.notified(user, subject)  # type: ignore[arg-type]
        elif kind == DocumentKind.FRAUD_DECISION:
            penalty.decided(user, subject)  # type: ignore[arg-type]
    return issued


def _locked(kind: str, subject: Subject) -> Subject:
    model: type[Application | Entitlement | Recovery] = Application
    if kind == DocumentKind.TERMINATION:
        model = Entitlement
    elif kind in (DocumentKind.FRAUD_DECISION, DocumentKind.PENALTY_NOTICE):
        model = Recovery
    found: Subject = model.objects.select_for_update().get(pk=subject.pk)
    return found


def _content(kind: str, subject: Subject, today: dt.date) -> dict[str, object]:
    if isinstance(subject, Recovery):
        if kind == DocumentKind.PENALTY_NOTICE:
            return content.penalty_notice(subject, today)
        return content.fraud_decision(subject, today)
    if isinstance(subject, Entitlement):
        return content.termination(subject, today)
    return content.BUILDERS[DocumentKind(kind)](subject, today)


def _issued(kind: str, subject: Subject) -> IssuedDocument | None:
    if isinstance(subject, Recovery):
        return IssuedDocument.objects.filter(kind=kind, recovery=subject).first()
    if isinstance(subject, Entitlement):
        return IssuedDocument.objects.filter(kind=kind, entitlement=subject).first()
    return IssuedDocument.objects.filter(kind=kind, application=subject).first()


def _body_name(name: str, kind: str) -> str:
    if kind == "街道":
        return f"{name}办事处"
    if kind == "镇":
        return f"{name}人民政府"
    return f"{name}管理委员会"


def fill_example_offices(user: Staff | None = None) -> int:
    """Fill the offices of the district's townships and of the district bureau with **clearly
    fictitious** example values (every value is marked 示例), for the demonstration only; a
    value already set is kept. Returns the number of offices created or completed."""
    bodies = [(DISTRICT_CODE, "天津市宝坻区民政局", 0)]
    townships = sorted(
        (d for d in baodi_divisions().values() if d.level == "township"), key=lambda d: d.code
    )
    bodies += [(d.code, _body_name(d.name, d.kind), i + 1) for i, d in enumerate(townships)]
    changed = 0
    with transaction.atomic():
        for code, name, index in bodies:
            example = {
                "name": f"【示例】{name}",
                "address": f"【示例，虚构地址】{name}示例路{index + 1}号",
                "phone": f"【示例】022-0000{index:04d}",
                "review_body": "【示例】天津市宝坻区人民政府",
                "court": "【示例】天津市宝坻区人民法院",
            }
            office, _created = Office.objects.get_or_create(division_code=code)
            before = snapshot(office, list(example))
            for field, value in example.items():
                if not getattr(office, field).strip():
                    setattr(office, field, value)
            after = snapshot(office, list(example))
            if after != before:
                office.save()
                record(user, "documents.example_office", office, before=before, after=after)
                changed += 1
    return changed
