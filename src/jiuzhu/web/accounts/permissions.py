"""Who may do what (``rules`` predicates). Deny by default: a permission not granted here is
refused, and every object permission also requires the object to be in the user's jurisdiction.

Reading: any staff role within its jurisdiction (auditors read everything in theirs, never
write). Writing, by step of the workflow (spec.md §2.5): community workers and township
caseworkers take applications and record visits; township caseworkers verify, propose and publish
notices; township heads give the township opinion; district officers propose confirmation and
district directors (or officers other than the proposer) confirm.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rules.permissions import add_perm
from rules.predicates import predicate

from jiuzhu.web.accounts.models import Role


def _division_of(obj: Any) -> str | None:
    division = getattr(obj, "division_code", None)
    if division is None and hasattr(obj, "household"):
        division = getattr(obj.household, "division_code", None)
    return division


@predicate  # type: ignore[untyped-decorator]
def in_jurisdiction(user: Any, obj: Any = None) -> bool:
    """The object (anything with a ``division_code`` or a ``household``) is the user's to see;
    without an object, whether the user has a jurisdiction at all."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "division_code", ""):
        return False
    if obj is None:
        return True
    division = _division_of(obj)
    return division is not None and user.covers(division)


def _role(*roles: Role) -> Any:
    @predicate(name=f"role_in_{'_'.join(r.value for r in roles)}")  # type: ignore[untyped-decorator]
    def has_role(user: Any) -> bool:
        return getattr(user, "role", None) in roles

    return has_role


is_staff_role = _role(*Role)
can_take_applications = _role(Role.COMMUNITY_WORKER, Role.TOWNSHIP_CASEWORKER)
is_township_caseworker = _role(Role.TOWNSHIP_CASEWORKER)
is_township_head = _role(Role.TOWNSHIP_HEAD)
is_district = _role(Role.DISTRICT_OFFICER, Role.DISTRICT_DIRECTOR)
is_administrator = _role(Role.ADMINISTRATOR)

add_perm("registry.view", is_staff_role & in_jurisdiction)
add_perm(
    "registry.view_unmasked", (is_staff_role & ~_role(Role.COMMUNITY_WORKER)) & in_jurisdiction
)
add_perm("registry.change", (can_take_applications | is_district) & in_jurisdiction)
add_perm("registry.import", is_administrator | _role(Role.DISTRICT_DIRECTOR))
add_perm("cases.view", is_staff_role & in_jurisdiction)
add_perm("cases.apply", can_take_applications & in_jurisdiction)
add_perm("cases.verify", is_township_caseworker & in_jurisdiction)
add_perm("cases.home_visit", can_take_applications & in_jurisdiction)
add_perm("cases.township_opinion", (is_township_caseworker | is_township_head) & in_jurisdiction)
add_perm("cases.public_notice", is_township_caseworker & in_jurisdiction)
add_perm("cases.objection", is_township_caseworker & in_jurisdiction)


@predicate  # type: ignore[untyped-decorator]
def confirmation_delegated() -> bool:
    """Confirmation delegated to the townships (最低生活保障审核确认办法 Art. 2; a setting)."""
    return bool(settings.JIUZHU.get("CONFIRMATION_DELEGATED_TO_TOWNSHIP"))


# Where confirmation is delegated, the township caseworker proposes and the township head
# confirms; otherwise a district officer proposes and another district officer or the director
# confirms. Either way the proposer never confirms (checked in the action).
add_perm(
    "cases.propose_confirmation",
    (_role(Role.DISTRICT_OFFICER) | (confirmation_delegated & is_township_caseworker))
    & in_jurisdiction,
)
add_perm(
    "cases.confirm", (is_district | (confirmation_delegated & is_township_head)) & in_jurisdiction
)
add_perm("cases.notify", (is_township_caseworker | is_district) & in_jurisdiction)
add_perm("audit.view", (_role(Role.AUDITOR) | is_administrator | _role(Role.DISTRICT_DIRECTOR)))
