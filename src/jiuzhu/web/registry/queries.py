"""Reading the registry, always within the user's jurisdiction (deny by default)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol

from django.db.models import Prefetch, QuerySet

from jiuzhu.feeds import ids as resident_ids
from jiuzhu.feeds import names as person_names
from jiuzhu.reference import division
from jiuzhu.web.core.fields import ENDING, ending_match, sealed_match
from jiuzhu.web.core.jurisdiction import get_within
from jiuzhu.web.core.users import Staff
from jiuzhu.web.registry.models import Household, Membership

DEATH_STATUS_ORDER = ("tekun", "dibao", "near_dibao")
"""The assistance status at death a funeral claim names, the first that held (the code list
``status_at_death`` of the rules)."""


class Running(Protocol):
    """What ``status_at_death`` reads of an entitlement (the registry reaches a household's
    entitlements through the reverse relation, never an import of the entitlements app)."""

    program: str
    person_id: int | None
    start_month: str
    end_month: str


def status_at_death(person_id: int, died_on: dt.date, entitlements: Iterable[Running]) -> str:
    """The decedent's assistance status in the month of death, as a funeral claim names it
    (``status_at_death``): tekun if their own entitlement ran then, else the household's dibao
    or near-dibao; ``none`` otherwise. ``entitlements``: the household's."""
    month = f"{died_on:%Y-%m}"
    running = {
        e.program
        for e in entitlements
        if e.start_month <= month
        and (not e.end_month or e.end_month >= month)
        # Tekun is the person's own; dibao and near-dibao cover the household.
        and (e.program != "tekun" or e.person_id == person_id)
    }
    return next((status for status in DEATH_STATUS_ORDER if status in running), "none")


def rare_code_points(name: str) -> str:
    """The characters of a name flagged 生僻字待核 (private use, outside GB 18030's two-byte
    set: ``jiuzhu.feeds.names.rare_characters``) by code point, ``U+E000、U+23D66``, or "" for
    none. Code points, since a page's font may not draw the character itself."""
    rare = dict.fromkeys(person_names.rare_characters(name))
    return "、".join(f"U+{ord(char):04X}" for char in rare)


def community_name(division_code: str) -> str:
    """``大口屯镇 某某村``: the township and the community of a division code, by name."""
    found = division(division_code)
    if found is None:
        return division_code
    if found.township_name and found.township_name != found.name:
        return f"{found.township_name} {found.name}"
    return found.name


def households_for(user: Staff) -> QuerySet[Household]:
    """Households in the user's jurisdiction (none for a user without one)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "division_code", ""):
        return Household.objects.none()
    return Household.objects.filter(division_code__startswith=user.division_code)


def current_members() -> Prefetch[str]:
    """The memberships in force now, with their persons (one query for a page of households)."""
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(valid_to__isnull=True)
        .select_related("person")
        .order_by("relation", "person_id"),
        to_attr="current_memberships",
    )


def household_for(user: Staff, pk: int) -> Household:
    """One household of the user's jurisdiction, with its current members.

    Raises:
        Http404: no such household in the jurisdiction (another township's household is
            indistinguishable from a missing one).
    """
    return get_within(households_for(user).prefetch_related(current_members()), pk)


_ID_LIKE = re.compile(r"^[0-9]{3,17}[0-9Xx]$")


def looks_like_id(text: str) -> bool:
    """Whether a search text is a whole resident ID (18 characters, or a 15-digit old one)."""
    text = unicodedata.normalize("NFKC", text).strip()
    return bool(_ID_LIKE.match(text)) and len(text) in (15, 18)


def search(user: Staff, text: str) -> QuerySet[Household]:
    """Households of the jurisdiction matching the start of a current member's name (a full
    name or a surname), an ID number (whole, or its last 4–17 characters), a household number,
    or — when none of these finds anything — part of an address (three characters or more).

    Every path but the address is one index lookup, and every index comes from a migration
    (docs/performance.md): the whole ID by its keyed hash's unique index, an ending of six
    characters or more by the keyed hash of the last six (``Person.resident_id_ending``), a
    shorter one by the last four (``Person.resident_id_tail``), the rest of a longer ending
    compared among the few found, a name from its start and a household number by theirs. The kinds of match are a UNION ALL of household ids,
    filtered by the jurisdiction afterwards: a join with DISTINCT over members and persons took
    seconds on the full district. An address is matched anywhere in it, which no ordinary index
    serves: it is scanned, within the jurisdiction, only when the text matched no name and no
    number, so that searching by name or number never reads addresses.
    """
    text = unicodedata.normalize("NFKC", text).strip()  # full-width digits typed by people
    households = households_for(user)
    if not text:
        return households.none()
    current = Membership.objects.filter(valid_to__isnull=True)
    if _ID_LIKE.match(text):
        normalised = text.upper()
        if len(normalised) == 15:
            # A 15-digit number (GB 11643-1989) is stored in its 18-digit form: search that.
            # (Not a valid old number: then it is the ending of an 18-digit one.)
            with contextlib.suppress(resident_ids.InvalidIdError):
                normalised = resident_ids.normalise(normalised).number
        if len(normalised) == 18:
            members = current.filter(sealed_match("person__resident_id", normalised))
            return households.filter(id__in=members.values("household_id"))
        if len(normalised) >= ENDING:
            # By the keyed hash of the last six (a few people share them); a longer end is
            # compared among those few, opened.
            candidates = current.filter(ending_match("person__resident_id", normalised))
            if len(normalised) == ENDING:
                return households.filter(id__in=candidates.values("household_id"))
        else:
            # Four or five characters: the plain last four, then the fifth among those.
            candidates = current.filter(person__resident_id_tail=normalised[-4:])
        pairs = candidates.values_list("household_id", "person__resident_id")
        return households.filter(id__in=[pk for pk, number in pairs if number.endswith(normalised)])
    ids = (
        current.filter(person__name__startswith=text)
        .values("household_id")
        .union(Household.objects.filter(number=text.upper()).values("id"), all=True)
    )
    found = households.filter(id__in=ids)
    if len(text) >= 3 and not found.exists():  # shorter fragments match too many addresses
        return households.filter(address__contains=text)
    return found


def registered_in_district(resident_id: str) -> Membership | None:
    """The current membership (with its household) of the person with this ID number anywhere
    in the district, whatever the user's jurisdiction — for work that reaches a resident where
    they are found (a rescue station's stay, an emergency in another township). The caller
    shows only what its work needs of a household outside the user's jurisdiction and audits
    the look-up. None: no such resident, or not a current member."""
    return (
        Membership.objects.filter(sealed_match("person__resident_id", resident_id), valid_to=None)
        .select_related("household", "person")
        .first()
    )
