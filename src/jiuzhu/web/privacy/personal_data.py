"""Everything the platform holds about one resident, as the tables of their copy
(《中华人民共和国个人信息保护法》第四十五条: 个人有权向个人信息处理者查阅、复制其个人信息).

Each ``Section`` is one kind of record: the person's own facts, memberships, incomes, assets,
obligors, the applications and decisions of the households they belonged to, entitlements,
payments, bank accounts, verification results, department records, discovery alerts and the
low-income register, and the access log (audit events concerning the person or their households:
who, when, what). Values read as on the pages: labels for codes, money in yuan, dates.

Whose data is shown in full: the resident's own ID number, and the accounts they hold (the
account names them as payee, or carries their ID as holder's). Other people appear in a
household's records (the applicant, a holder, an obligor); their ID and account numbers stay
masked (``masking``), as everywhere else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.feeds.base import SPECS
from jiuzhu.feeds.sources import SOURCES  # noqa: F401 — registers every source's spec
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.audit.presenting import Presenter
from jiuzhu.web.cases.models import Application, HomeVisit, Objection
from jiuzhu.web.core.fields import Companion, sealed_match
from jiuzhu.web.core.masking import mask_account, mask_id
from jiuzhu.web.core.users import Visitor
from jiuzhu.web.discovery.models import Alert, RegisterEntry
from jiuzhu.web.entitlements.models import Entitlement, EntitlementVersion
from jiuzhu.web.payments.models import BankAccount, Payment
from jiuzhu.web.registry.models import Asset, Household, Income, Membership, Obligor, Person
from jiuzhu.web.verification.models import DepartmentRecord, Discrepancy, VerificationAnswer

ID_FIELDS = frozenset({"resident_id", "holder_id", "resident_key"})
"""Fields holding an ID number: shown in full when it is the resident's own."""
LEFT_OUT = frozenset({"id", "created_at", "updated_at", "recorded_at"})
"""Bookkeeping fields a copy of one's data does not need (row ids, save stamps)."""
PER_SECTION = 5000
"""Rows at most per section (a household's payments over decades stay far below)."""


@dataclass
class Section:
    """One table of the copy: its title, column headings and rows (text and dates)."""

    title: str
    headers: list[str]
    rows: list[list[object]] = field(default_factory=list)


class Subject:
    """The resident whose data is gathered, and the households they belonged to."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.household_ids = sorted(
            set(Membership.objects.filter(person=person).values_list("household_id", flat=True))
        )

    def own_id(self, value: str) -> bool:
        return bool(value) and value == self.person.resident_id


def _named(model_field: models.Field[object, object]) -> bool:
    """The field has a name in words: its own, or (a link to a record, not to a user) the
    linked model's."""
    if str(model_field.verbose_name) != model_field.name.replace("_", " "):
        return True
    related = model_field.related_model
    return related is not None and related._meta.label != settings.AUTH_USER_MODEL


def _label(model_field: models.Field[object, object]) -> str:
    label = str(model_field.verbose_name)
    related = model_field.related_model
    if label == model_field.name.replace("_", " ") and related is not None:
        label = str(related._meta.verbose_name)
    return label.replace("（分）", "（元）") if _is_money(model_field) else label


def _is_money(model_field: models.Field[object, object]) -> bool:
    """A money field says so in its (Chinese) name: integer fen, "…（分）", as ``audit.labels``
    reads it. The copy is written in Chinese (``export``)."""
    return isinstance(model_field, models.IntegerField) and str(model_field.verbose_name).endswith(
        "（分）"
    )


def _value(
    obj: models.Model, model_field: models.Field[object, object], subject: Subject
) -> object:
    """The field's value as people read it."""
    if model_field.is_relation:
        related = getattr(obj, model_field.name)
        if related is not None and related._meta.label == settings.AUTH_USER_MODEL:
            return getattr(related, "full_name", "") or str(related)
        return "" if related is None else str(related)
    value = getattr(obj, model_field.attname)
    shown: object = value
    if value is None or value == "" or isinstance(value, dict):
        shown = ""  # a dict is structured evidence: the section shows its explanation instead
    elif model_field.choices:
        shown = str(getattr(obj, f"get_{model_field.name}_display")())
    elif model_field.name in ID_FIELDS:
        shown = value if subject.own_id(str(value)) else mask_id(str(value))
    elif _is_money(model_field):
        shown = format_yuan(int(value))
    elif isinstance(value, bool):
        shown = _("是") if value else _("否")
    elif isinstance(value, dt.datetime):
        shown = f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    elif isinstance(value, list):
        shown = "、".join(str(item) for item in value)
    return shown


def _fields(
    model: type[models.Model], leave_out: Iterable[str] = ()
) -> list[models.Field[object, object]]:
    """The fields a copy shows: not bookkeeping, not computed, and only those with a name in
    words (a field without one, such as a time stamp of the machinery, would head its column
    with an identifier)."""
    left_out = LEFT_OUT | set(leave_out)
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in left_out
        # Keyed hashes and the tail are the machinery of search, not the resident's data.
        and not isinstance(f, models.GeneratedField | Companion)
        and _named(f)
    ]


def model_section(
    title: str,
    records: Iterable[models.Model],
    model: type[models.Model],
    subject: Subject,
    leave_out: Sequence[str] = (),
) -> Section:
    """A section of every concrete field of ``model`` (but bookkeeping), one row a record."""
    fields = _fields(model, leave_out)
    return Section(
        title,
        [_label(f) for f in fields],
        [[_value(obj, f, subject) for f in fields] for obj in records],
    )


def _account_rows(subject: Subject) -> Section:
    accounts = BankAccount.objects.filter(
        Q(household_id__in=subject.household_ids) | Q(person=subject.person)
    ).select_related("household", "person", "created_by", "checked_by", "replaces")
    section = model_section(
        _("银行账户"), [], BankAccount, subject, leave_out=("account_number", "replaces")
    )
    section.headers.insert(1, _("银行账号"))
    fields = _fields(BankAccount, ("account_number", "replaces"))
    for account in accounts.order_by("created_at", "pk")[:PER_SECTION]:
        own = account.person_id == subject.person.pk or subject.own_id(account.holder_id)
        row = [_value(account, f, subject) for f in fields]
        number = account.account_number
        row.insert(1, number if own else mask_account(number))
        section.rows.append(row)
    return section


def _department_rows(subject: Subject) -> Section:
    """The department records about the person: source, period, the row's fields by their
    headings (money in yuan)."""
    section = Section(_("部门共享数据"), [_("数据来源"), _("所属期"), _("接收时间"), _("内容")])
    records = DepartmentRecord.objects.filter(
        sealed_match("resident_id", subject.person.resident_id)
    )
    for record in records.order_by("source", "period", "pk")[:PER_SECTION]:
        spec = SPECS.get(record.source)
        parts = []
        for name, value in (record.data or {}).items():
            if spec is None or value in (None, ""):
                continue
            try:
                spec_field = spec.field(name)
            except KeyError:
                continue
            shown = format_yuan(int(value)) if spec_field.kind == "yuan" else value
            if spec_field.kind == "id" and not subject.own_id(str(value)):
                shown = mask_id(str(value))
            parts.append(f"{spec_field.header}：{shown}")
        label = spec.label if spec is not None else record.source
        section.rows.append(
            [
                label,
                record.period,
                f"{timezone.localtime(record.received_at):%Y-%m-%d}",
                "；".join(parts),
            ]
        )
    return section


def _access_log(subject: Subject, reader: Visitor | None) -> Section:
    """Who did or saw what with the person's records, and when (the audit events of the person
    and of their households), newest first; staff by name and role."""
    section = Section(_("访问与处理记录"), [_("时间"), _("人员"), _("角色"), _("操作"), _("对象")])
    events = (
        AuditEvent.objects.filter(
            Q(household_id__in=subject.household_ids)
            | Q(object_type="registry.person", object_id=str(subject.person.pk))
        )
        .select_related("user")
        .order_by("-at", "-id")[:PER_SECTION]
    )
    for row in Presenter(reader).present(list(events)):
        ref = f"{row.ref.kind} {row.ref.identifier}" if row.ref else ""
        section.rows.append([f"{row.at:%Y-%m-%d %H:%M:%S}", row.who, row.role, row.action, ref])
    return section


def sections(person: Person, reader: Visitor | None) -> list[Section]:
    """Every record about ``person``, section by section (see the module's docstring)."""
    subject = Subject(person)
    return [
        *_registry_and_case_sections(person, subject),
        *_assistance_and_check_sections(person, subject),
        _access_log(subject, reader),
    ]


def _registry_and_case_sections(person: Person, subject: Subject) -> list[Section]:
    """The person's registry records, and the applications, visits and objections of their
    households."""
    households = subject.household_ids
    applications = Application.objects.filter(household_id__in=households).select_related(
        "household", "applicant", "created_by", "proposed_by", "decided_by"
    )
    return [
        model_section(_("个人基本信息"), [person], Person, subject),
        model_section(
            _("家庭成员关系"),
            Membership.objects.filter(person=person).select_related("household", "person"),
            Membership,
            subject,
        ),
        model_section(_("收入"), Income.objects.filter(person=person), Income, subject),
        model_section(_("财产"), Asset.objects.filter(person=person), Asset, subject),
        model_section(
            _("法定赡养抚养扶养义务人"), Obligor.objects.filter(supported=person), Obligor, subject
        ),
        model_section(_("申请与审核确认"), applications.order_by("pk"), Application, subject),
        model_section(
            _("入户调查"),
            HomeVisit.objects.filter(application__household_id__in=households).select_related(
                "application", "recorded_by"
            ),
            HomeVisit,
            subject,
        ),
        model_section(
            _("异议"),
            Objection.objects.filter(application__household_id__in=households).select_related(
                "application"
            ),
            Objection,
            subject,
        ),
    ]


def _assistance_and_check_sections(person: Person, subject: Subject) -> list[Section]:
    """Entitlements, payments and accounts of the person's households; verification results,
    department records, alerts and the low-income register about the person."""
    households = subject.household_ids
    in_households = {"household_id__in": households}
    entitlements = Entitlement.objects.filter(**in_households).select_related(
        "household", "person", "application"
    )
    return [
        model_section(_("救助待遇"), entitlements.order_by("pk"), Entitlement, subject),
        model_section(
            _("待遇金额变化"),
            EntitlementVersion.objects.filter(entitlement__household_id__in=households)
            .select_related("entitlement", "created_by")
            .order_by("entitlement_id", "number"),
            EntitlementVersion,
            subject,
        ),
        model_section(
            _("救助金发放"),
            Payment.objects.filter(**in_households)
            .select_related("run", "entitlement", "household", "bank_account")
            .order_by("month", "pk")[:PER_SECTION],
            Payment,
            subject,
            leave_out=("version", "bank_file", "failed_account", "recovery", "reissue_of"),
        ),
        _account_rows(subject),
        model_section(
            _("核对结果"),
            VerificationAnswer.objects.filter(person=person).select_related("run", "person"),
            VerificationAnswer,
            subject,
        ),
        model_section(
            _("核对差异"),
            Discrepancy.objects.filter(person=person).select_related("run", "person"),
            Discrepancy,
            subject,
        ),
        _department_rows(subject),
        model_section(
            _("主动发现预警"),
            Alert.objects.filter(Q(person=person) | Q(household_id__in=households))
            .select_related("household", "person", "run")
            .order_by("pk"),
            Alert,
            subject,
            leave_out=("explanation_en",),
        ),
        model_section(
            _("低收入人口库"),
            RegisterEntry.objects.filter(person=person).select_related(
                "person", "household", "entitlement", "application"
            ),
            RegisterEntry,
            subject,
        ),
    ]


def household_of_person(household: Household, person_pk: int) -> Person | None:
    """A person who is or was a member of ``household`` (None: no such member)."""
    return Person.objects.filter(pk=person_pk, memberships__household=household).distinct().first()
