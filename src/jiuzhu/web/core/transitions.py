"""Transition tables: one per stateful model (application, alert, entitlement, entitlement task,
payroll run, bank account). Actions, views and templates all ask the same table

* whether a move is allowed now, and if not, **why** (``refusal``): the state, the role, or a
  condition such as a notice period that has not ended or a maker who may not check their own
  work — in words the user reads, never a permission code;
* which moves the user may make now (``allowed``): a page offers those and nothing else;
* what happens next (``next_step``): the stage, who acts (roles, and the person where the object
  is assigned), by when, and what the user may do.

A move names its permission (a ``rules`` predicate of ``jiuzhu.web.accounts.permissions``); the
roles that hold it are found by asking the same predicate for one user of each role at the
object's division, so the table never restates who may do what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from rules.permissions import has_perm

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.core.users import Staff, Visitor

Text = str | Promise
Guard = Callable[[Any, Any, dt.date], Text | None]
"""``guard(obj, user, today)``: the reason the move must wait, or None. ``user`` may be None when
the table is asked what the object waits for, whoever looks."""


class Refused(ValidationError):
    """The workflow refuses the move now (wrong stage, or a condition not met yet). The message
    says why; nothing was written."""


class NotPermitted(PermissionDenied):
    """The user may not make the move (role, or maker–checker). The message says who may."""


@dataclass(frozen=True)
class Move:
    """One move of a transition table.

    ``sources``: the states it starts from; ``target``: the state after it (None: unchanged);
    ``permission``: the ``rules`` permission the user needs on the object; ``label``: the move as
    people name it (the button); ``main``: on the main path (its roles are "who acts next"; side
    moves such as terminating are offered but do not name the next actor); ``guard``: a
    condition of the object and time (a refusal is a ``Refused``); ``person_guard``: a condition
    on the user (maker–checker; a refusal is ``NotPermitted``); ``actor_note``: what the next
    actor must know about who may act (e.g. not the proposer); ``form``: the form on the page
    that makes the move (default: the move's name; two moves may share one form, as the
    township's "approve" and "reject" share the opinion form); ``listed``: offered in the list
    of what the user may do (false for the second of two moves sharing a form).
    """

    name: str
    sources: frozenset[str]
    permission: str
    label: Text
    target: str | None = None
    main: bool = True
    guard: Guard | None = None
    person_guard: Guard | None = None
    actor_note: Callable[[Any], Text | None] | None = None
    form: str = ""
    listed: bool = True
    waits: bool = True
    """Whether a failed condition means the move is yet to come ("公示期未满": the page says what
    it waits for) rather than that it does not apply to this record (a reassessment when nothing
    changed, a spot-check of an application not drawn): those are not shown at all."""

    @property
    def anchor(self) -> str:
        return self.form or self.name


@dataclass
class NextStep:
    """What an object waits for, for one user: its state, who acts next, by when, and what this
    user may do now (``mine``) or may do once a condition is met (``waiting``)."""

    state: str
    actors: str
    person: str
    due: dt.date | None
    overdue: bool
    mine: list[Move] = field(default_factory=list)
    waiting: list[tuple[Move, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return not self.actors and not self.mine and not self.waiting


def join_labels(items: Iterable[Text]) -> str:
    """Labels listed in the user's language (、 in Chinese, a comma in English), each once."""
    return pgettext("list separator", "、").join(dict.fromkeys(str(item) for item in items))


def division_of(obj: models.Model) -> str:
    """The division code an object belongs to (its own, or its household's)."""
    division = getattr(obj, "division_code", None)
    if division is None and (household := getattr(obj, "household", None)) is not None:
        division = household.division_code
    return str(division or "")


def _probe_user(role: Role, division: str) -> Staff:
    """An unsaved user of ``role`` whose jurisdiction covers ``division`` as narrowly as the role
    allows (community workers a community, township roles a township, the rest the district)."""
    if role == Role.COMMUNITY_WORKER:
        code = division[:12] if len(division) >= 12 else ""
    elif role in (Role.TOWNSHIP_CASEWORKER, Role.TOWNSHIP_HEAD):
        code = division[:9] if len(division) >= 9 else ""
    else:
        code = DISTRICT_CODE
    return User(role=role, division_code=code, username=f"probe-{role}")


def roles_for(permission: str, obj: models.Model) -> list[Role]:
    """The roles whose holders (in the object's jurisdiction) have ``permission`` on ``obj``."""
    division = division_of(obj)
    found = []
    for role in Role:
        probe = _probe_user(role, division)
        if probe.division_code and has_perm(permission, probe, obj):
            found.append(role)
    return found


def roles_text(permission: str, obj: models.Model) -> str:
    return join_labels(role.label for role in roles_for(permission, obj)) or _("系统管理员")


class Workflow:
    """A transition table over the objects of one model.

    ``state(obj)`` reads the object's state and ``state_label(obj)`` names it; ``due(obj, today)``
    gives the date the next step is due by (or None); ``assignee(obj)`` the user the object is
    assigned to (or None).
    """

    def __init__(
        self,
        moves: Iterable[Move],
        *,
        state: Callable[[Any], str],
        state_label: Callable[[Any], str],
        due: Callable[[Any, dt.date], dt.date | None] | None = None,
        assignee: Callable[[Any], object] | None = None,
    ) -> None:
        self.moves = {move.name: move for move in moves}
        self.state = state
        self.state_label = state_label
        self.due = due
        self.assignee = assignee

    def __getitem__(self, name: str) -> Move:
        return self.moves[name]

    def __contains__(self, name: object) -> bool:
        return name in self.moves

    def from_state(self, state: str) -> list[Move]:
        return [move for move in self.moves.values() if state in move.sources]

    # --- asking ---------------------------------------------------------------------------------

    def state_refusal(self, obj: models.Model, name: str) -> str | None:
        move = self.moves[name]
        if self.state(obj) in move.sources:
            return None
        return _("“%(state)s”时不能%(move)s") % {"state": self.state_label(obj), "move": move.label}

    def condition_refusal(
        self, obj: models.Model, name: str, today: dt.date, user: Visitor | None = None
    ) -> str | None:
        move = self.moves[name]
        reason = move.guard(obj, user, today) if move.guard else None
        return None if reason is None else str(reason)

    def person_refusal(
        self, obj: models.Model, name: str, user: Visitor, today: dt.date
    ) -> str | None:
        move = self.moves[name]
        if not user.has_perm(move.permission, obj):
            return _("%(move)s由%(roles)s办理") % {
                "move": move.label,
                "roles": roles_text(move.permission, obj),
            }
        reason = move.person_guard(obj, user, today) if move.person_guard else None
        return None if reason is None else str(reason)

    def refusal(self, user: Visitor, obj: models.Model, name: str, today: dt.date) -> str | None:
        """Why ``user`` may not make the move on ``obj`` now, or None if they may."""
        return (
            self.state_refusal(obj, name)
            or self.person_refusal(obj, name, user, today)
            or self.condition_refusal(obj, name, today, user)
        )

    def allowed(self, user: Visitor, obj: models.Model, today: dt.date) -> dict[str, bool]:
        """Every move of the table → whether ``user`` may make it on ``obj`` now."""
        return {name: self.refusal(user, obj, name, today) is None for name in self.moves}

    def acting(self, user: Visitor, probe: models.Model) -> dict[str, list[Move]]:
        """State → the main moves ``user``'s role may make from it, asked of ``probe`` (an
        unsaved object at the user's own division): which records wait for this user's work,
        before any record is read."""
        found: dict[str, list[Move]] = {}
        for move in self.moves.values():
            if move.main and user.has_perm(move.permission, probe):
                for state in move.sources:
                    found.setdefault(state, []).append(move)
        return found

    def work(
        self, user: Visitor, obj: models.Model, today: dt.date
    ) -> tuple[list[Move], list[tuple[Move, str]]]:
        """The main moves ``user`` may make on ``obj`` now, and those waiting for a condition
        (with the reason): what a work list says of one record."""
        ready, waiting = [], []
        for move in self.from_state(self.state(obj)):
            if not move.main or not move.listed:
                continue
            if self.person_refusal(obj, move.name, user, today):
                continue
            reason = self.condition_refusal(obj, move.name, today, user)
            if reason is None:
                ready.append(move)
            elif move.waits:
                waiting.append((move, reason))
        return ready, waiting

    def forms_allowed(self, user: Visitor, obj: models.Model, today: dt.date) -> dict[str, bool]:
        """Every form of the page (``Move.anchor``) → whether ``user`` may submit it now (a form
        shared by two moves is offered when either is allowed)."""
        allowed: dict[str, bool] = {}
        for name, ok in self.allowed(user, obj, today).items():
            anchor = self.moves[name].anchor
            allowed[anchor] = allowed.get(anchor, False) or ok
        return allowed

    def check(self, user: Visitor, obj: models.Model, name: str, today: dt.date) -> str | None:
        """The state the move leads to; the action calls it on the locked row before writing.

        Raises:
            Refused: wrong state, or a condition of the object not met (the reason says which);
            NotPermitted: the user's role may not, or maker–checker forbids this user.
        """
        reason = self.state_refusal(obj, name)
        if reason:
            raise Refused(reason)
        reason = self.person_refusal(obj, name, user, today)
        if reason:
            raise NotPermitted(reason)
        reason = self.condition_refusal(obj, name, today, user)
        if reason:
            raise Refused(reason)
        return self.moves[name].target

    def next_step(self, user: Visitor, obj: models.Model, today: dt.date) -> NextStep:
        """What ``obj`` waits for and what ``user`` may do about it."""
        moves = self.from_state(self.state(obj))
        main = [move for move in moves if move.main]
        # Who acts next: the roles of the main moves that can be made now; if none can yet
        # (a notice period running), the roles of those that will be.
        ready = [m for m in main if self.condition_refusal(obj, m.name, today) is None]
        main = ready or [m for m in main if m.waits]
        actors = join_labels(
            role.label for move in main for role in roles_for(move.permission, obj)
        )
        notes = [
            str(note)
            for move in main
            if move.actor_note is not None and (note := move.actor_note(obj))
        ]
        assignee = self.assignee(obj) if self.assignee else None
        due = self.due(obj, today) if self.due else None
        mine: list[Move] = []
        waiting: list[tuple[Move, str]] = []
        for move in moves:
            if not move.listed or self.person_refusal(obj, move.name, user, today):
                continue
            reason = self.condition_refusal(obj, move.name, today, user)
            if reason is None:
                mine.append(move)
            elif move.main and move.waits and move in main:
                waiting.append((move, reason))
        return NextStep(
            state=self.state_label(obj),
            actors=actors,
            person=str(assignee) if assignee else "",
            due=due,
            overdue=bool(due and due < today and main),
            mine=mine,
            waiting=waiting,
            notes=notes,
        )
