"""Audit events as a person reads them: who (name and role), when, what (the action's label),
which record, and the changes as labelled values in the user's language — money in yuan, dates
as YYYY-MM-DD, codes by their labels, yes/no for booleans, users by name.

A page of events is presented in bulk: the records, users and persons its values name are read
with one query per kind, never one per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.reference import division
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.web.audit import objects
from jiuzhu.web.audit.labels import PATTERNS, Key, Kind, Resolved, action_label, choice_label
from jiuzhu.web.audit.labels import resolve as resolve_key
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.users import Visitor


@dataclass(frozen=True)
class Change:
    """One labelled item of an event: ``before`` is None for a detail (no before value)."""

    label: str
    after: str
    before: str | None = None


@dataclass
class Row:
    """One event as the log shows it."""

    event: AuditEvent
    who: str
    role: str
    action: str
    ref: objects.Ref | None
    changes: list[Change] = field(default_factory=list)
    details: list[Change] = field(default_factory=list)

    @property
    def at(self) -> dt.datetime:
        return timezone.localtime(self.event.at)


def yuan(fen: int) -> str:
    """``123450`` → ``1,234.50 元`` (yuan in the user's language)."""
    return _("%(amount)s 元") % {"amount": format_yuan(fen)}


def _int(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class Presenter:
    """Presents events for ``user`` (whose permissions decide which records are linked)."""

    def __init__(self, user: Visitor | None) -> None:
        self.user = user
        self._keys: dict[tuple[str, str, str], tuple[Resolved, dict[str, str]]] = {}
        self.refs: dict[tuple[str, str], objects.Ref] = {}
        self.users: dict[int, str] = {}

    # --- keys -----------------------------------------------------------------------------

    def key(self, event: AuditEvent, name: str) -> tuple[Resolved, dict[str, str]]:
        """The key's label and kind, and the record ids its name holds (a pattern key)."""
        cache = (event.action, event.object_type, name)
        if cache not in self._keys:
            ids: dict[str, str] = {}
            for pattern, _key in PATTERNS:
                match = pattern.match(name)
                if match:
                    ids = match.groupdict()
            self._keys[cache] = (resolve_key(event.action, event.object_type, name), ids)
        return self._keys[cache]

    def _values(self, event: AuditEvent) -> Iterator[tuple[str, object]]:
        for values in (event.before, event.after, event.detail):
            if isinstance(values, dict):
                yield from values.items()

    # --- bulk look-ups --------------------------------------------------------------------

    def _collect(
        self, key: Key, value: object, pairs: set[tuple[str, str]], users: set[int]
    ) -> None:
        if value is None:
            return
        if isinstance(value, list) and key.kind is not Kind.LENGTH:
            for item in value:
                self._collect(key, item, pairs, users)
        elif key.kind is Kind.USER and (user := _int(value)) is not None:
            users.add(user)
        elif key.kind is Kind.OBJECT and _int(value) is not None:
            pairs.add((key.choices, str(value)))
        elif key.kind is Kind.MAPPING and isinstance(value, dict):
            for name, part in value.items():
                if name in key.parts:
                    self._collect(key.parts[name], part, pairs, users)

    def load(self, events: Sequence[AuditEvent]) -> None:
        """Read every record, user and person the events name (one query per kind)."""
        pairs: set[tuple[str, str]] = set()
        users: set[int] = set()
        for event in events:
            if event.object_type:
                pairs.add((event.object_type, event.object_id))
            for name, value in self._values(event):
                resolved, ids = self.key(event, name)
                if "person" in ids:
                    pairs.add(("registry.person", ids["person"]))
                self._collect(resolved.key, value, pairs, users)
        pairs -= set(self.refs)
        self.refs.update(objects.resolve(pairs, self.user))
        users -= set(self.users)
        if users:
            for user in get_user_model().objects.filter(pk__in=users):
                self.users[user.pk] = str(user)

    # --- values ---------------------------------------------------------------------------

    def show(self, key: Key, value: object, event: AuditEvent) -> str:
        """``value`` as the key's kind shows it ("—" for nothing)."""
        if value is None or value in ("", []):
            return "—"
        if key.kind is Kind.LENGTH:
            return f"{len(value):,}" if isinstance(value, list | dict) else str(value)
        if isinstance(value, list):
            return _("、").join(self.show(key, item, event) for item in value)
        if key.kind is Kind.SNAPSHOT and isinstance(value, dict):
            return objects.describe_snapshot(key.choices, value)
        if key.kind is Kind.PAIRS and isinstance(value, dict):
            return _("；").join(
                f"{name}{_('：')}{self.show(Key(), item, event)}" for name, item in value.items()
            )
        if key.kind is Kind.MAPPING and isinstance(value, dict):
            return _("；").join(
                f"{part.label if part.label is not None else _('其他信息')}{_('：')}"
                f"{self.show(part, item, event)}"
                for name, item in value.items()
                for part in [key.parts.get(name, Key(_("其他信息")))]
            )
        return self._scalar(key, value, event)

    def _scalar(self, key: Key, value: object, event: AuditEvent) -> str:
        kind = key.kind
        number = _int(value)
        if kind is Kind.MONEY and isinstance(value, dict):
            # A verified value: {"monthly_amount" or "amount": fen, "basis": where it was found}.
            amount = _int(value.get("monthly_amount", value.get("amount")))
            shown = yuan(amount) if amount is not None else "—"
            if value.get("basis"):
                return _("%(amount)s（%(basis)s）") % {"amount": shown, "basis": value["basis"]}
            return shown
        if kind is Kind.MONEY and number is not None:
            return yuan(number)
        if kind is Kind.COUNT and number is not None:
            return f"{number:,}"
        if kind is Kind.BOOL:
            return _("是") if value is True or value in ("true", "True", 1) else _("否")
        if kind in (Kind.DATE, Kind.DATETIME):
            return _date(value, with_time=kind is Kind.DATETIME)
        if kind is Kind.CHOICE:
            return choice_label(key.choices, value)
        if kind is Kind.RESIDENT_ID:
            return mask_id(str(value))
        if kind is Kind.DIVISION:
            found = division(str(value))
            return found.name if found is not None else str(value)
        if kind is Kind.USER and number is not None:
            return self.users.get(number, f"#{number}")
        if kind is Kind.OBJECT and number is not None:
            ref = self.refs.get((key.choices, str(number)))
            return ref.identifier if ref is not None else f"#{number}"
        if kind is Kind.FIELD:
            label = resolve_key(event.action, event.object_type, str(value)).label
            return label if label is not None else _("其他信息")
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if isinstance(value, dict):
            return _("；").join(self.show(Key(), item, event) for item in value.values())
        return str(value)

    def label(self, event: AuditEvent, name: str) -> tuple[str, Key]:
        """The key's label in the user's language ("其他信息" if none), filled for a pattern."""
        resolved, ids = self.key(event, name)
        if resolved.label is None:
            return _("其他信息"), resolved.key
        if not ids:
            return resolved.label, resolved.key
        person = self.refs.get(("registry.person", ids.get("person", "")))
        component = ids.get("component", "")
        component_label = resolve_key("", "", component).label if component else None
        return resolved.label % {
            "person": person.identifier if person is not None else _("成员"),
            "component": component_label or _("其他信息"),
        }, resolved.key

    # --- rows -----------------------------------------------------------------------------

    def changes(self, event: AuditEvent) -> list[Change]:
        """The event's ``before``/``after``, key by key."""
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        names = list(after) + [k for k in before if k not in after]
        found = []
        for name in names:
            label, key = self.label(event, name)
            if key.kind is Kind.HIDDEN:
                continue
            found.append(
                Change(
                    label,
                    self.show(key, after.get(name), event),
                    self.show(key, before.get(name), event) if event.before is not None else None,
                )
            )
        return found

    def details(self, event: AuditEvent) -> list[Change]:
        """The event's detail, key by key."""
        detail = event.detail if isinstance(event.detail, dict) else {}
        found = []
        for name, value in detail.items():
            label, key = self.label(event, name)
            if key.kind is Kind.HIDDEN:
                continue
            found.append(Change(label, self.show(key, value, event)))
        return found

    def present(self, events: Iterable[AuditEvent]) -> list[Row]:
        """The events as rows (their users selected with them: ``select_related("user")``)."""
        events = list(events)
        self.load(events)
        rows = []
        for event in events:
            user = event.user
            rows.append(
                Row(
                    event=event,
                    who=str(user) if user is not None else _("系统"),
                    role=str(user.get_role_display()) if user is not None else "",
                    action=action_label(event.action),
                    ref=self.refs.get((event.object_type, event.object_id)),
                    changes=self.changes(event),
                    details=self.details(event),
                )
            )
        return rows


def _date(value: object, *, with_time: bool) -> str:
    text = str(value)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if with_time and moment.tzinfo is not None:
        return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
    return f"{moment:%Y-%m-%d %H:%M}" if with_time else f"{moment:%Y-%m-%d}"


def describe(values: dict[str, object] | None, event: AuditEvent | None = None) -> str:
    """``{'wage_income': 100000}`` → ``工资性收入（月均）：1,000.00 元`` — the template filter
    ``audit_values`` (``{{ event.after|audit_values:event }}``: with the event, its model's field
    labels and choices too)."""
    if not values:
        return ""
    probe = AuditEvent(
        action=event.action if event is not None else "",
        object_type=event.object_type if event is not None else "",
        object_id="",
        after=values,
        detail={},
    )
    presenter = Presenter(None)
    presenter.load([probe])
    return _("；").join(f"{c.label}{_('：')}{c.after}" for c in presenter.changes(probe))
