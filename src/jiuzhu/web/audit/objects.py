"""Which record an event concerns, as people name it: "申请 DB202510150001", "家庭 H0000123",
"人员 张** 120224********123X", linked to the record's page when the user may open it.

Records are read in bulk, one query per object type for a whole page of events, through the
app registry (``apps.get_model``): the audit app is below the apps it describes and imports none
of their modules but the registry's masking.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Model, Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jiuzhu.feeds.ids import InvalidIdError, normalise
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.core.masking import mask_id, mask_name
from jiuzhu.web.core.users import Visitor


@dataclass(frozen=True)
class Ref:
    """A record as the log shows it: its kind ("申请"), identifier and page (blank: none, or
    not the user's to open)."""

    kind: str
    identifier: str
    url: str = ""

    def __str__(self) -> str:
        return f"{self.kind} {self.identifier}".strip()


@dataclass(frozen=True)
class ObjectType:
    """How records of one model read. ``identify(obj)``: the identifier; ``page(obj)``: the URL
    name and argument of its page (None: no page); ``permission``: the view permission the user
    needs on ``guard(obj)`` (the object itself by default) for the link."""

    label: Promise
    identify: Callable[[Any], str]  # each type's own model: a Callable cannot say which
    page: Callable[[Any], tuple[str, int] | None] = lambda obj: None
    permission: str = ""
    guard: Callable[[Any], models.Model | None] = lambda obj: obj
    related: tuple[str, ...] = ()
    number: str = ""
    """The field a user types to find a record of this type (besides its id)."""


def _current_household(person: models.Model) -> models.Model | None:
    memberships = getattr(person, "current_memberships", [])
    return memberships[0].household if memberships else None


def _person_page(person: models.Model) -> tuple[str, int] | None:
    household = _current_household(person)
    return ("registry:household", household.pk) if household is not None else None


def _job_page(job: models.Model) -> tuple[str, int] | None:
    return ("jobs:detail", job.pk) if getattr(job, "kind", "") == "batch_assessment" else None


def _day(value: object) -> str:
    return f"{value:%Y-%m-%d}" if value is not None else ""


TYPES: dict[str, ObjectType] = {
    "registry.household": ObjectType(
        _("家庭"),
        lambda h: h.number,
        lambda h: ("registry:household", h.pk),
        "registry.view",
        number="number",
    ),
    "registry.person": ObjectType(
        _("人员"),
        lambda p: f"{mask_name(p.name)} {mask_id(p.resident_id)}",
        _person_page,
        "registry.view",
        guard=_current_household,
        number="resident_id",
    ),
    "registry.importrun": ObjectType(_("登记库导入"), lambda r: f"{_day(r.started_at)} #{r.pk}"),
    "cases.application": ObjectType(
        _("申请"),
        lambda a: a.number,
        lambda a: ("cases:application", a.pk),
        "cases.view",
        number="number",
    ),
    "verification.verificationrun": ObjectType(
        _("核对"),
        lambda r: r.application.number,
        lambda r: ("cases:application", r.application_id),
        "cases.view",
        guard=lambda r: r.application,
        related=("application",),
    ),
    "verification.feedimport": ObjectType(
        _("部门数据导入"), lambda f: f"{f.label} {_day(f.received_at)}"
    ),
    "entitlements.entitlement": ObjectType(
        _("救助待遇"),
        lambda e: e.number,
        lambda e: ("entitlements:detail", e.pk),
        "entitlements.view",
        number="number",
    ),
    "entitlements.standardchangerun": ObjectType(
        _("标准调整"),
        lambda r: f"{r.parameter_label or r.parameter_path} {r.effective_month}",
        lambda r: ("entitlements:run", r.pk),
        "entitlements.view",
    ),
    "scenarios.scenario": ObjectType(
        _("测算方案"),
        lambda s: f"#{s.pk} {s.label}",
        lambda s: ("scenarios:detail", s.pk),
        "scenarios.view",
    ),
    "payments.payrollrun": ObjectType(
        _("发放名册"),
        lambda r: f"{r.month} {r.get_program_display()}",
        lambda r: ("payments:run", r.pk),
        "payments.view",
    ),
    "payments.bankaccount": ObjectType(
        _("银行账户"),
        lambda a: f"{a.bank_name} {a.masked}",
        lambda a: ("payments:household_ledger", a.household_id),
        "payments.view",
    ),
    "payments.payment": ObjectType(
        _("发放记录"),
        lambda p: f"{p.month} {p.household.number}",
        lambda p: ("payments:household_ledger", p.household_id),
        "payments.view",
        related=("household",),
    ),
    "payments.recovery": ObjectType(
        _("追回"),
        lambda r: f"{r.entitlement.number} #{r.pk}",
        lambda r: ("entitlements:detail", r.entitlement_id),
        "entitlements.view",
        guard=lambda r: r.entitlement,
        related=("entitlement",),
    ),
    "payments.repayment": ObjectType(
        _("缴回"),
        lambda r: f"{r.recovery.entitlement.number} #{r.recovery_id} {r.paid_on}",
        lambda r: ("payments:household_ledger", r.recovery.entitlement.household_id),
        "payments.view",
        guard=lambda r: r.recovery.entitlement.household,
        related=("recovery__entitlement",),
    ),
    "payments.bankfile": ObjectType(
        _("银行代发文件"),
        lambda f: f.filename,
        lambda f: ("payments:run", f.run_id),
        "payments.view",
        guard=lambda f: f.run,
        related=("run",),
    ),
    "discovery.alert": ObjectType(
        _("预警"),
        lambda a: f"#{a.pk} {a.household_key}".strip(),
        lambda a: ("discovery:alert", a.pk),
        "discovery.view",
    ),
    "discovery.discoveryrun": ObjectType(
        _("主动发现"),
        lambda r: f"{r.month} #{r.pk}",
        lambda r: ("discovery:run", r.pk),
        "discovery.view",
    ),
    "jobs.job": ObjectType(
        _("后台任务"),
        lambda j: f"{j.get_kind_display()} {_day(j.created_at)} #{j.pk}",
        _job_page,
        "cases.view",
    ),
    # Plan indicators (issue 14).
    "plan.facility": ObjectType(
        _("养老服务机构"), lambda f: f.name, lambda f: ("plan:facility", f.pk), "plan.view"
    ),
    "plan.counsellingpoint": ObjectType(
        _("婚姻家庭辅导服务场所"),
        lambda p: p.name,
        lambda p: ("plan:counselling_point", p.pk),
        "plan.view",
    ),
}
"""Every object type the platform records (another falls back to its model's name)."""

TYPE_LABELS = {code: kind.label for code, kind in TYPES.items()}
"""Object type → its label (the choices of the export's recorded filter)."""

WHOLE_REGISTER = "discovery.registerentry"
"""Register refreshes and imports concern the whole register, not one entry."""


def type_choices() -> list[tuple[str, str]]:
    """The object types a user may filter by, labelled."""
    return [(code, str(kind.label)) for code, kind in TYPES.items()]


def type_label(object_type: str) -> str:
    """ "申请" for "cases.application"; the model's name for a type not in ``TYPES``."""
    if object_type in TYPES:
        return str(TYPES[object_type].label)
    if object_type == WHOLE_REGISTER:
        return str(_("低收入人口库"))
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return str(_("记录"))


def _queryset(object_type: str) -> QuerySet[models.Model]:
    model = apps.get_model(object_type)
    queryset = model._default_manager.select_related(*TYPES[object_type].related)
    if object_type == "registry.person":
        membership = apps.get_model("registry", "Membership")
        queryset = queryset.prefetch_related(
            Prefetch(
                "memberships",
                membership.objects.filter(valid_to__isnull=True).select_related("household"),
                to_attr="current_memberships",
            )
        )
    return queryset


def _may(user: Visitor | None, permission: str, obj: models.Model | None = None) -> bool:
    """Whether ``user`` (None: nobody in particular, no links) holds ``permission``."""
    return user is not None and bool(user.has_perm(permission, obj))


def _url(kind: ObjectType, obj: Model, user: Visitor | None) -> str:
    page = kind.page(obj)
    guarded = kind.guard(obj)
    if page is None or guarded is None or not _may(user, kind.permission, guarded):
        return ""
    try:
        return reverse(page[0], args=[page[1]])
    except NoReverseMatch:
        return ""


def resolve(pairs: Iterable[tuple[str, str]], user: Visitor | None) -> dict[tuple[str, str], Ref]:
    """``(object_type, object_id)`` → ``Ref``, one query per object type."""
    wanted: dict[str, set[int]] = defaultdict(set)
    found: dict[tuple[str, str], Ref] = {}
    for object_type, object_id in set(pairs):
        if object_type in TYPES and object_id.isdigit():
            wanted[object_type].add(int(object_id))
        elif object_type == WHOLE_REGISTER:
            url = reverse("discovery:register") if _may(user, "discovery.view") else ""
            found[(object_type, object_id)] = Ref(type_label(object_type), "", url)
        elif object_type:
            # Without an id the event concerns that type's records as a whole (a list's export).
            shown = f"#{object_id}" if object_id else ""
            found[(object_type, object_id)] = Ref(type_label(object_type), shown)
    for object_type, ids in wanted.items():
        kind = TYPES[object_type]
        for obj in _queryset(object_type).filter(pk__in=ids):
            found[(object_type, str(obj.pk))] = Ref(
                str(kind.label), kind.identify(obj), _url(kind, obj, user)
            )
        known = {int(k[1]) for k in found if k[0] == object_type and k[1].isdigit()}
        for missing in ids - known:
            # Deleted since (an entry replaced by a newer import, say): the id still identifies it.
            found[(object_type, str(missing))] = Ref(str(kind.label), f"#{missing}")
    return found


def describe_snapshot(object_type: str, data: dict[str, object]) -> str:
    """A record kept as its fields (``audit.actions.snapshot``: a merged duplicate, say) as
    the log names one of its type ("张** 120224********123X"), read from the fields alone."""
    kind = TYPES.get(object_type)
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return str(_("记录"))
    fields = {f.name: f.attname for f in model._meta.concrete_fields}
    try:
        instance = model(**{fields[k]: v for k, v in data.items() if k in fields})
        return kind.identify(instance) if kind is not None else type_label(object_type)
    except (AttributeError, TypeError, ValueError):
        return type_label(object_type)


class UnknownObject(ValueError):
    """No record of that type has that number or id."""


def find(object_type: str, text: str) -> str:
    """The ``object_id`` of the record of ``object_type`` a user typed: its number (an
    application's, a household's, an entitlement's), a person's ID number, or its id.

    Raises:
        UnknownObject: no such record (or ``text`` is neither).
    """
    kind = TYPES.get(object_type)
    text = unicodedata.normalize("NFKC", text).strip()
    if kind is None or not text:
        raise UnknownObject(text)
    model = apps.get_model(object_type)
    # A pk has at most 18 digits (a bigint); a longer number is an ID number or nothing.
    condition = Q(pk=int(text)) if text.isdecimal() and len(text) < 19 else Q()
    if kind.number == "resident_id":
        with contextlib.suppress(InvalidIdError):
            condition |= sealed_match("resident_id", normalise(text).number)
    elif kind.number:
        condition |= Q(**{f"{kind.number}__iexact": text})
    if not condition:
        raise UnknownObject(text)
    pk = model._default_manager.filter(condition).values_list("pk", flat=True).first()
    if pk is None:
        raise UnknownObject(text)
    return str(pk)
