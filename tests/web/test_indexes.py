"""The search's indexes come from migrations (issue 10, point 10): a database created by
``migrate`` alone finds a household by the last digits of an ID, by a name and by its number
through an index, on SQLite and PostgreSQL, and a name or number search never reads addresses.

Plans are read with the database's own EXPLAIN; on PostgreSQL sequential scans are made
expensive (``enable_seqscan = off``) so that the small test district shows the plan a full
district gets: an index is used where one exists, and a scan remains where none does.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.test.utils import CaptureQueriesContext

from jiuzhu.web.accounts.models import User
from jiuzhu.web.core.fields import ENDING, ending_match
from jiuzhu.web.registry.models import Household, Membership, Person
from jiuzhu.web.registry.queries import search

pytestmark = pytest.mark.django_db

ADDRESS_MATCH = re.compile(r'"address"(::text)? LIKE')


def _plan(queryset: QuerySet[Any]) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _member(user: User) -> Membership:
    found = (
        Membership.objects.filter(
            valid_to__isnull=True, household__division_code__startswith=user.division_code
        )
        .select_related("person", "household")
        .first()
    )
    assert found is not None
    return found


@pytest.mark.parametrize("column", ["resident_id_tail", "resident_id_ending"])
def test_the_id_ending_has_an_index_from_the_migrations(column: str) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "registry_person")
    assert any(c["index"] and c["columns"] == [column] for c in constraints.values()), constraints


@pytest.mark.parametrize(("length", "index"), [(6, "person_id_ending"), (4, "person_id_tail")])
def test_a_search_by_the_last_digits_of_an_id_uses_the_index(
    users: dict[str, User], length: int, index: str
) -> None:
    member = _member(users["caseworker"])
    ending = member.person.resident_id[-length:]
    assert member.household in search(users["caseworker"], ending)
    # The people with that ending, as the search looks them up (whichever side the planner
    # starts from on a district this small, on a full one it starts here).
    people = Person.objects.filter(
        ending_match("resident_id", ending) if length >= ENDING else Q(resident_id_tail=ending)
    )
    assert member.person in people
    assert index in _plan(people)


@pytest.mark.parametrize("kind", ["name", "number"])
def test_a_search_by_name_or_number_reads_no_address(users: dict[str, User], kind: str) -> None:
    member = _member(users["caseworker"])
    text = member.person.name if kind == "name" else member.household.number
    with CaptureQueriesContext(connection) as queries:
        found = list(search(users["caseworker"], text))
    assert member.household in found
    assert not [q["sql"] for q in queries if ADDRESS_MATCH.search(q["sql"])]
    plan = _plan(search(users["caseworker"], text))
    if connection.vendor == "postgresql":
        assert "Seq Scan" not in plan, plan


def test_an_address_is_found_when_no_name_or_number_matches(users: dict[str, User]) -> None:
    household = Household.objects.filter(
        division_code__startswith=users["caseworker"].division_code
    ).exclude(address="")[0]
    fragment = household.address[-6:]
    assert household in search(users["caseworker"], fragment)
