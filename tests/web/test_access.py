"""Deny by default: every URL refuses anonymous users; a township user can read nothing of
another township through any view; an auditor reads but never writes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from jiuzhu.web.accounts.models import User
from jiuzhu.web.cases import actions
from jiuzhu.web.cases.models import Application, Channel
from jiuzhu.web.core.programs import Program
from jiuzhu.web.registry.models import Household
from tests.web.conftest import PASSWORD

PUBLIC = {"accounts:login", "set_language", "admin:login"}


def _patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> list[tuple[str, str]]:
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _patterns(entry, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), f"{namespace}{entry.name}"))
    return found


def _url(pattern: str, values: dict[str, Any]) -> str | None:
    """A concrete path for a route pattern (None for regex patterns we cannot fill)."""
    if pattern.startswith("^") or "(?P" in pattern:
        return None
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), pattern)
    return "/" + path


@pytest.fixture
def objects(users: dict[str, User], townships: tuple[str, str]) -> dict[str, Any]:
    """An application in the first township, to aim the other township's user at."""
    household = Household.objects.filter(township_code=townships[0]).first()
    assert household is not None
    member = household.memberships.filter(valid_to__isnull=True).first()
    application = actions.submit_application(
        users["caseworker"],
        household,
        program=Program.DIBAO,
        applicant=member.person,
        channel=Channel.COUNTER,
        materials=[
            "application_form",
            "income_asset_declaration",
            "verification_authorisation",
            "truthfulness_undertaking",
            "diagnosis",
        ],
    )
    return {
        "pk": application.pk,
        "household_pk": household.pk,
        "person_pk": member.person_id,
        "step": "verify",
        "application": application,
        "household": household,
    }


@pytest.mark.django_db
def test_every_url_refuses_anonymous_users(objects: dict[str, Any]) -> None:
    client = Client()
    checked = 0
    for pattern, name in _patterns():
        url = _url(pattern, objects)
        if url is None or name in PUBLIC:
            continue
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 404), (name, url, response.status_code)
            if response.status_code == 302:
                assert "login" in response["Location"], (name, url)
        checked += 1
    assert checked >= 15


@pytest.mark.django_db
def test_another_township_can_read_nothing(objects: dict[str, Any], users: dict[str, User]) -> None:
    outsider = Client()
    assert outsider.login(username="outsider", password=PASSWORD)
    for pattern, name in _patterns():
        url = _url(pattern, objects)
        if url is None or name in PUBLIC or name.startswith("admin"):
            continue
        if not any(
            f"<{key}" in pattern or f":{key}>" in pattern
            for key in ("pk", "household_pk", "person_pk")
        ):
            continue
        for method in (outsider.get, outsider.post):
            # A GET of a form's URL goes to the form's page (post_only), which then refuses.
            response = method(url, follow=True)
            assert response.status_code in (403, 404), (name, url, response.status_code)
    # Lists and search show nothing of the other township.
    number = objects["application"].number
    assert number not in outsider.get("/applications/").content.decode()
    found = outsider.get("/registry/", {"q": objects["household"].number}).content.decode()
    assert f"/registry/households/{objects['household_pk']}/" not in found
    assert "没有符合条件的家庭" in found
    assert number not in outsider.get("/").content.decode()
    # Nothing was written on the way.
    application = Application.objects.get(pk=objects["pk"])
    assert application.stage == objects["application"].stage


@pytest.mark.django_db
def test_the_own_township_reads_its_records(objects: dict[str, Any]) -> None:
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    assert client.get(f"/applications/{objects['pk']}/").status_code == 200
    assert client.get(f"/registry/households/{objects['household_pk']}/").status_code == 200


@pytest.mark.django_db
def test_an_auditor_reads_but_never_writes(objects: dict[str, Any]) -> None:
    auditor = Client()
    assert auditor.login(username="auditor", password=PASSWORD)
    assert auditor.get(f"/applications/{objects['pk']}/").status_code == 200
    for step in ("verify", "home_visit", "opinion", "propose", "confirm", "terminate"):
        response = auditor.post(f"/applications/{objects['pk']}/{step}/", {"reason": "x"})
        assert response.status_code in (302, 400, 403)
    assert Application.objects.get(pk=objects["pk"]).stage == objects["application"].stage
    assert (
        auditor.get(f"/registry/households/{objects['household_pk']}/declaration/").status_code
        == 403
    )


@pytest.mark.django_db
def test_unmasking_an_id_is_audited_and_masked_by_default(objects: dict[str, Any]) -> None:
    from jiuzhu.web.audit.models import AuditEvent

    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    page = client.get(f"/registry/households/{objects['household_pk']}/").content.decode()
    person = objects["household"].memberships.get(person_id=objects["person_pk"]).person
    assert person.resident_id not in page
    assert person.resident_id[:6] + "********" in page
    full = client.post(
        f"/registry/households/{objects['household_pk']}/persons/{person.pk}/unmask/"
    )
    assert full.content.decode() == person.resident_id
    assert AuditEvent.objects.filter(
        action="registry.view_unmasked", object_id=str(person.pk)
    ).exists()
    community = Client()
    assert community.login(username="community", password=PASSWORD)
    refused = community.post(
        f"/registry/households/{objects['household_pk']}/persons/{person.pk}/unmask/"
    )
    assert refused.status_code in (403, 404)
