"""Who may do what (``rules`` predicates). Deny by default: a permission not granted here is
refused, and every object permission also requires the object to be in the user's jurisdiction.

Reading: any staff role within its jurisdiction (auditors read everything in theirs, never
write). Writing, by step of the procedure (《最低生活保障审核确认办法》（民发〔2021〕57号）第二章): community workers and township
caseworkers take applications and record visits; township caseworkers verify, propose and publish
notices; township heads give the township opinion; district officers propose confirmation and
district directors (or officers other than the proposer) confirm.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from rules.permissions import add_perm
from rules.predicates import Predicate, predicate

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User


def _division_of(obj: models.Model) -> str | None:
    division: str | None = getattr(obj, "division_code", None)
    if division is None and hasattr(obj, "household"):
        division = getattr(obj.household, "division_code", None)
    return division


@predicate  # type: ignore[untyped-decorator]
def in_jurisdiction(user: User | AnonymousUser, obj: models.Model | None = None) -> bool:
    """The object (anything with a ``division_code`` or a ``household``) is the user's to see;
    without an object, whether the user has a jurisdiction at all."""
    if not isinstance(user, User) or not user.is_authenticated or not user.division_code:
        return False
    if obj is None:
        return True
    division = _division_of(obj)
    return division is not None and user.covers(division)


def _role(*roles: Role) -> Predicate:
    @predicate(name=f"role_in_{'_'.join(r.value for r in roles)}")  # type: ignore[untyped-decorator]
    def has_role(user: User | AnonymousUser) -> bool:
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
# Issue 12: an administrator resets another user's second factor (a lost phone); never one's
# own (accounts.twofactor_actions.reset_second_factor).
add_perm("accounts.reset_second_factor", is_administrator)


@predicate  # type: ignore[untyped-decorator]
def at_district_level(user: User | AnonymousUser) -> bool:
    """The user's jurisdiction is the whole district."""
    return getattr(user, "division_code", "") == DISTRICT_CODE


# A department's delivery covers the whole district and replaces the previous one of its source
# for everyone (verification.actions): only district-level importers load it. Registry files
# (workbooks, the register) are checked row by row against the importer's jurisdiction instead
# (core.jurisdiction).
add_perm(
    "verification.import_feeds",
    (is_administrator | _role(Role.DISTRICT_DIRECTOR)) & at_district_level,
)
add_perm("cases.view", is_staff_role & in_jurisdiction)
add_perm("cases.apply", can_take_applications & in_jurisdiction)
add_perm("cases.verify", is_township_caseworker & in_jurisdiction)
add_perm("cases.home_visit", can_take_applications & in_jurisdiction)
# The township's opinion is the head's (the caseworker prepares, the head decides); extending the
# deadline or terminating a case may be done by either.
add_perm("cases.township_opinion", is_township_head & in_jurisdiction)
add_perm("cases.manage", (is_township_caseworker | is_township_head) & in_jurisdiction)
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

# Payroll (最低生活保障审核确认办法 Art. 25–26). Every staff role reads payments in its
# jurisdiction (a township sees its own households' rows, read-only); district officers draft
# and check, the director or an officer approves. Maker–checker is a person guard of the run's
# transition table (jiuzhu.web.payments.workflow.RUN): a drafter neither checks nor approves, the
# checker never approves.
is_district_officer = _role(Role.DISTRICT_OFFICER)
add_perm("payments.view", is_staff_role & in_jurisdiction)
add_perm("payments.draft", is_district_officer & in_jurisdiction)
add_perm("payments.check", is_district_officer & in_jurisdiction)
add_perm("payments.approve", is_district & in_jurisdiction)
add_perm("payments.export", is_district & in_jurisdiction)
add_perm("payments.reconcile", is_district & in_jurisdiction)
add_perm("payments.reissue", is_district & in_jurisdiction)
add_perm("payments.close", is_district & in_jurisdiction)
add_perm("payments.recovery", is_district & in_jurisdiction)
# Bank accounts: the township caseworker records a payee's account at the counter (a district
# officer may too); the township head or a district officer or director checks it — never the
# person who recorded it (the person guard of jiuzhu.web.payments.workflow.ACCOUNT). A whole
# account number is shown, audited, to the roles above community worker, as an ID number is.
add_perm(
    "payments.record_account", (is_township_caseworker | is_district_officer) & in_jurisdiction
)
add_perm("payments.check_account", (is_township_head | is_district) & in_jurisdiction)
# Temporary assistance: the district allots each township's reserve fund; the township helps
# first from it (先行救助) within its approval limit.
add_perm("payments.reserve_fund", is_district & in_jurisdiction)
# Local values (addendum decision 16): a district officer enters, another district officer or
# the director checks (never the one who entered it, checked in the action); every staff
# role may read what the platform's rules use.
add_perm("localvalues.view", is_staff_role)
# Homeless relief: the rescue station is the district's; township caseworkers and community
# workers bring people in and may record a stay found in their jurisdiction too.
add_perm("relief.view", is_staff_role & in_jurisdiction)
add_perm(
    "relief.record",
    (is_district_officer | is_township_caseworker | _role(Role.COMMUNITY_WORKER)) & in_jurisdiction,
)
# Referrals to legal aid and judicial assistance: made where people ask, at the township or in
# the community; every staff role of the jurisdiction reads them.
add_perm("referrals.view", is_staff_role & in_jurisdiction)
add_perm(
    "referrals.refer",
    (is_district_officer | is_township_caseworker | _role(Role.COMMUNITY_WORKER)) & in_jurisdiction,
)
add_perm("localvalues.enter", is_district_officer & in_jurisdiction)
add_perm("localvalues.check", is_district & in_jurisdiction)
add_perm("payments.help_first", (is_township_caseworker | is_township_head) & in_jurisdiction)
add_perm(
    "payments.view_unmasked", (is_staff_role & ~_role(Role.COMMUNITY_WORKER)) & in_jurisdiction
)

# Entitlements (dynamic management, issue 5). Reading: any staff role in its jurisdiction.
# Township caseworkers and heads manage the entitlements of their township (reviews, change
# reports, suspension, death checks, the tekun termination notice); decisions that end or cut
# a benefit (termination, gradual exit, employment sanction) are the confirming level's, as for
# the original decision. A standard change is recomputed and approved at the district
# (maker–checker, checked in the action).
add_perm("entitlements.view", is_staff_role & in_jurisdiction)
add_perm("entitlements.manage", (is_township_caseworker | is_township_head) & in_jurisdiction)
add_perm(
    "entitlements.decide",
    (is_district | (confirmation_delegated & is_township_head)) & in_jurisdiction,
)
add_perm("entitlements.standard_change", is_district)
add_perm("entitlements.approve_standard_change", is_district & in_jurisdiction)
add_perm("entitlements.schedule", is_district | is_administrator)
# Documents (issue 9): the termination notice is numbered and issued by those who manage the
# entitlement or decide its termination (township staff or the confirming level). Scans are
# uploaded by who takes applications (cases.apply), read and printed by who reads the
# application (cases.view), decision notices issued by cases.notify.
# (entitlements.manage or entitlements.decide, whichever level the township's practice uses).
add_perm(
    "documents.issue_termination",
    (is_township_caseworker | is_township_head | is_district) & in_jurisdiction,
)

# Proactive discovery (主动发现与预警, issue 6). Every staff role reads the alerts routed to its
# jurisdiction and the register of it; the user an alert is assigned to reads and handles it
# too. Community workers, township staff and district staff handle alerts (assign, visit,
# outcome) — an auditor or administrator never does. A discovery run is started by the district
# (the data officer's job, DESIGN.md §1) or an administrator.


@predicate  # type: ignore[untyped-decorator]
def is_assignee(user: User | AnonymousUser, obj: models.Model | None = None) -> bool:
    """The object (an alert) is assigned to the user."""
    return obj is not None and getattr(obj, "assigned_to_id", None) == getattr(user, "pk", 0)


can_handle_alerts = _role(
    Role.COMMUNITY_WORKER,
    Role.TOWNSHIP_CASEWORKER,
    Role.TOWNSHIP_HEAD,
    Role.DISTRICT_OFFICER,
    Role.DISTRICT_DIRECTOR,
)
add_perm("discovery.view", is_staff_role & (in_jurisdiction | is_assignee))
add_perm("discovery.handle", can_handle_alerts & (in_jurisdiction | is_assignee))
add_perm(
    "discovery.assign",
    (is_township_caseworker | is_township_head | is_district) & in_jurisdiction,
)
add_perm("discovery.run", is_district | is_administrator)
# Statistics (统计报表, issue 14): township staff read their township's, district staff and
# auditors the district's; the same roles export the (suppressed) workbooks. Community workers
# and administrators have no report to make.
can_read_statistics = is_township_caseworker | is_township_head | is_district | _role(Role.AUDITOR)
add_perm("statistics.view", can_read_statistics & in_jurisdiction)
add_perm("statistics.export", can_read_statistics & in_jurisdiction)


@predicate  # type: ignore[untyped-decorator]
def household_in_jurisdiction(user: User | AnonymousUser, obj: models.Model | None = None) -> bool:
    """The object's household (an alert's) is in the user's jurisdiction."""
    household = getattr(obj, "household", None)
    return household is not None and in_jurisdiction(user, household)


# An alert concluded "included in assistance" is closed by linking the application registered
# for its household: by whoever takes applications there (the community worker of the
# household's community even when the township owns the alert), or the alert's assignee.
add_perm(
    "discovery.link_application",
    can_take_applications & (in_jurisdiction | is_assignee | household_in_jurisdiction),
)

# ---- privacy (issue 12) --------------------------------------------------------------------
# A resident's copy of their data (《中华人民共和国个人信息保护法》第四十五条) is handed over at the
# township's counter or by the district bureau: their caseworkers and officers export it, within
# their jurisdiction (the object is the household).
add_perm(
    "privacy.export_personal_data",
    _role(Role.TOWNSHIP_CASEWORKER, Role.DISTRICT_OFFICER) & in_jurisdiction,
)
# Scenarios (issue 14): standards are the district's; a district officer measures one, a second
# district officer or the director approves it (never the one who measured it, checked in the
# action); the district's auditors read them.
add_perm(
    "scenarios.view", (is_district | _role(Role.AUDITOR)) & at_district_level & in_jurisdiction
)
add_perm("scenarios.create", is_district_officer & at_district_level & in_jurisdiction)
add_perm("scenarios.approve", is_district & at_district_level & in_jurisdiction)

# ---- plan indicators (issue 14) ------------------------------------------------------------
# Elderly-care institutions, day-care centres and counselling places: every staff role reads
# those of its jurisdiction (an auditor too, never writing). District officers keep the
# register; a township caseworker keeps its own township's too, since the township's civil
# affairs office is the one that visits and inspects the facilities on its ground
# (docs/plan-indicators.md).
add_perm("plan.view", is_staff_role & in_jurisdiction)
add_perm("plan.manage", (is_district_officer | is_township_caseworker) & in_jurisdiction)
