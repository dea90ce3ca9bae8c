"""Issue 10, calendar and dates across the apps: a year missing from the holiday table leaves
only the deadlines that reach it without a date ("缺 2027 年日历"), the jobs still run, the
stored dates are counted again when the year is entered; a public notice ends on a working day;
a person born on 29 February comes of age on the day the rules' parameter gives.

The holiday table starts empty here (``conftest``); each test seeds the years it needs, so 2027
(which no package covers yet) is missing as it is in production today."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.cases import actions
from jiuzhu.web.cases.models import Application, Channel, Stage
from jiuzhu.web.cases.queries import work_items
from jiuzhu.web.core.months import add_years, age_on
from jiuzhu.web.core.programs import Program
from jiuzhu.web.discovery.models import Alert, DiscoveryRun
from jiuzhu.web.discovery.queries import work_items as alert_items
from jiuzhu.web.entitlements import scheduled
from jiuzhu.web.entitlements.actions import termination
from jiuzhu.web.entitlements.models import Entitlement, ReviewTask, TaskKind, TerminationGrounds
from jiuzhu.web.registry.models import Household, Person
from jiuzhu.web.workcalendar.models import CalendarDay
from jiuzhu.web.workcalendar.seed import seed_from_chinesecalendar
from tests.web.conftest import PASSWORD, make_user
from tests.web.discovery.conftest import alert_frame, alert_row
from tests.web.documents.conftest import to_public_notice
from tests.web.entitlements.conftest import make_entitlement, member

pytestmark = pytest.mark.django_db

MATERIALS = [
    "application_form",
    "income_asset_declaration",
    "verification_authorisation",
    "truthfulness_undertaking",
    "diagnosis",
]
MISSING_2027 = "缺 2027 年日历"


def _today(settings: Any, day: dt.date) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": day.isoformat()}


def _households(township: str, count: int) -> list[Household]:
    """Households of the township with an applicant (relation 本人)."""
    found = [
        household
        for household in Household.objects.filter(township_code=township).order_by("pk")[:40]
        if household.memberships.filter(valid_to__isnull=True, relation="01").exists()
    ]
    assert len(found) >= count
    return found[:count]


def _submit(user: User, household: Household, program: str = Program.DIBAO) -> Application:
    applicant = household.memberships.get(valid_to__isnull=True, relation="01").person
    return actions.submit_application(
        user,
        household,
        program=program,
        applicant=applicant,
        channel=Channel.COUNTER,
        materials=MATERIALS,
    )


def _admin_client() -> Client:
    admin = make_user("calendar_admin", Role.ADMINISTRATOR, DISTRICT_CODE)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    assert client.login(username="calendar_admin", password=PASSWORD)
    return client


def _enter_2027(client: Client, holidays: tuple[dt.date, ...] = (dt.date(2027, 1, 1),)) -> None:
    """What an administrator does once the State Council publishes 2027: the holidays, then the
    year with its notice, ticked complete."""
    for day in holidays:
        response = client.post(
            "/admin/workcalendar/calendarday/add/",
            {"date": day.isoformat(), "is_working_day": "", "name": "元旦"},
        )
        assert response.status_code == 302, response.content.decode()[:500]
    response = client.post(
        "/admin/workcalendar/calendaryear/add/",
        {
            "year": "2027",
            "complete": "on",
            "notice_number": "",
            "notice_published_on": "",
            "notice_url": "",
            "notice_note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]


# --- a missing year ----------------------------------------------------------------------------


def test_one_application_in_a_missing_year_leaves_the_others_deadlines_on_the_workbench(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    """Issue 10: one application whose deadline fell in 2027 blanked the deadlines and overdue
    flags of every application on the workbench."""
    seed_from_chinesecalendar([2025, 2026])
    early, late = _households(townships[0], 2)
    _today(settings, dt.date(2026, 12, 1))
    earlier = _submit(users["caseworker"], early)
    _today(settings, dt.date(2026, 12, 30))
    later = _submit(users["caseworker"], late)  # 3 working days reach 2027

    found = {
        item.url: item for item in work_items(users["caseworker"], dt.date(2026, 12, 30)).items
    }
    ours = found[reverse("cases:application", args=[earlier.pk])]
    assert ours.due == dt.date(2026, 12, 4) and ours.overdue  # investigation, 3 working days
    theirs = found[reverse("cases:application", args=[later.pk])]
    assert theirs.due is None and not theirs.overdue and theirs.due_note == MISSING_2027

    client = Client()
    client.force_login(users["caseworker"])
    page = client.get("/").content.decode()
    assert MISSING_2027 in page and "2026-12-04" in page
    detail = client.get(reverse("cases:application", args=[later.pk])).content.decode()
    assert MISSING_2027 in detail
    with_dates = client.get(reverse("cases:application", args=[earlier.pk])).content.decode()
    assert "2026-12-04" in with_dates and "已超期" in with_dates

    _enter_2027(_admin_client())
    again = {i.url: i for i in work_items(users["caseworker"], dt.date(2026, 12, 30)).items}
    # 12-31, then 1 January 2027 is a holiday: 01-04 and 01-05.
    assert again[reverse("cases:application", args=[later.pk])].due == dt.date(2027, 1, 5)


def test_discovery_in_late_december_writes_every_alert_and_dates_them_when_2027_comes(
    townships: tuple[str, str], users: dict[str, User], settings: Any
) -> None:
    """Issue 10: discovery failed to write alerts in late December (a deadline in 2027). Each
    alert is written; one due in 2027 has its date unknown, shown as such, counted — with its
    verification task — when the administrator enters 2027."""
    seed_from_chinesecalendar([2025, 2026])
    today = dt.date(2026, 12, 28)
    _today(settings, today)
    soon, later = _households(townships[0], 2)
    make_entitlement(later)
    run = DiscoveryRun.objects.create(month="2026-11", division_code=DISTRICT_CODE)
    rows = [
        alert_row(soon, deadline_working_days=2, alert_key="MED_HIGH_OOP:soon:2026-11"),
        alert_row(later, deadline_working_days=10, alert_key="VEHICLE:later:2026-11", adverse=True),
    ]
    from jiuzhu.web.discovery.actions import write_alerts

    counts = write_alerts(None, alert_frame(rows), run=run, today=today)
    assert counts["created"] == 2 and counts["tasks_opened"] == 1
    dated = Alert.objects.get(alert_key="MED_HIGH_OOP:soon:2026-11")
    unknown = Alert.objects.get(alert_key="VEHICLE:later:2026-11")
    assert dated.due_on == dt.date(2026, 12, 30)
    assert unknown.due_on is None
    task = ReviewTask.objects.get(kind=TaskKind.DISCOVERY_CHECK, key=f"alert:{unknown.pk}")
    assert task.due_on is None and task.due_working_days == 10

    items = {item.url: item for item in alert_items(users["caseworker"], today).items}
    assert items[reverse("discovery:alert", args=[unknown.pk])].due_note == MISSING_2027
    assert items[reverse("discovery:alert", args=[dated.pk])].due == dt.date(2026, 12, 30)
    client = Client()
    client.force_login(users["caseworker"])
    assert (
        MISSING_2027 in client.get(reverse("discovery:alert", args=[unknown.pk])).content.decode()
    )
    assert MISSING_2027 in client.get(reverse("discovery:inbox")).content.decode()

    _enter_2027(_admin_client())
    unknown.refresh_from_db()
    task.refresh_from_db()
    # 12-29, 12-30, 12-31, then 2027 without 1 January: 01-04 … 01-08, 01-11, 01-12.
    assert unknown.due_on == task.due_on == dt.date(2027, 1, 12)
    dated.refresh_from_db()
    assert dated.due_on == dt.date(2026, 12, 30)


# --- public notices -----------------------------------------------------------------------------


def test_a_seven_day_notice_ending_on_national_day_ends_on_the_next_working_day(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    """Issue 10: a 7-day public notice could end, and be closed, on a public holiday. Posted on
    Wednesday 2025-09-24, its 7th day is 1 October: it ends on Thursday 9 October, the first
    working day after the holiday (民法典 第二百零三条 by analogy, confidence low; the page says
    so), for the application as for a tekun termination."""
    seed_from_chinesecalendar([2025, 2026])
    posted = dt.date(2025, 9, 24)
    _today(settings, posted)
    household, tekun_home = _households(townships[0], 2)
    submitted = _submit(users["caseworker"], household)
    application = to_public_notice(users, submitted, visited_on=submitted.accepted_on)
    assert application.stage == Stage.PUBLIC_NOTICE
    assert (application.notice_starts_on, application.notice_ends_on) == (
        posted,
        dt.date(2025, 10, 9),
    )
    client = Client()
    client.force_login(users["caseworker"])
    page = client.get(reverse("cases:application", args=[application.pk])).content.decode()
    assert "第二百零三条" in page and "第十九条" in page and "依据不足" in page

    _today(settings, dt.date(2025, 10, 2))  # a holiday, the day after the 7th
    with pytest.raises(ValidationError, match="2025-10-09"):
        actions.close_public_notice(users["caseworker"], application)
    application.refresh_from_db()
    assert application.stage == Stage.PUBLIC_NOTICE
    _today(settings, dt.date(2025, 10, 10))
    actions.close_public_notice(users["caseworker"], application)
    application.refresh_from_db()
    assert application.stage == Stage.DISTRICT_CONFIRMATION

    _today(settings, posted)
    entitlement = make_entitlement(tekun_home, program="tekun", person=member(tekun_home))
    entitlement = termination.start_termination_notice(
        users["caseworker"], entitlement, grounds=TerminationGrounds.CAPACITY, reason="恢复劳动能力"
    )
    assert entitlement.notice_ends_on == dt.date(2025, 10, 9)
    detail = client.get(reverse("entitlements:detail", args=[entitlement.pk])).content.decode()
    assert "第二十六条" in detail and "第二百零三条" in detail
    _today(settings, dt.date(2025, 10, 2))
    with pytest.raises(ValidationError):
        termination.conclude_termination(users["officer"], entitlement)
    _today(settings, dt.date(2025, 10, 10))
    entitlement = termination.conclude_termination(users["officer"], entitlement)
    assert entitlement.end_month == "2025-11"


def test_a_notice_ending_in_a_missing_year_waits_for_its_calendar(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    """Posted on 2026-12-28, a notice's 7th day is in 2027: its end may still move, so it is not
    closed before 2027 is entered; then it is counted again (here 4 January a holiday) — and a
    termination objection's 15 working days likewise."""
    seed_from_chinesecalendar([2025, 2026])
    posted = dt.date(2026, 12, 28)
    _today(settings, posted)
    household, tekun_home = _households(townships[0], 2)
    submitted = _submit(users["caseworker"], household)
    application = to_public_notice(users, submitted, visited_on=submitted.accepted_on)
    assert application.stage == Stage.PUBLIC_NOTICE
    assert application.notice_ends_on == dt.date(2027, 1, 4)  # provisional
    entitlement = termination.start_termination_notice(
        users["caseworker"],
        make_entitlement(tekun_home, program="tekun", person=member(tekun_home)),
        grounds=TerminationGrounds.CAPACITY,
        reason="恢复劳动能力",
    )
    task = termination.record_termination_objection(
        users["caseworker"], entitlement, content="仍无劳动能力", received_on=posted
    )
    assert task.due_on is None and task.due_from == posted

    client = Client()
    client.force_login(users["caseworker"])
    assert (
        MISSING_2027
        in client.get(reverse("cases:application", args=[application.pk])).content.decode()
    )
    assert MISSING_2027 in client.get(reverse("entitlements:task", args=[task.pk])).content.decode()
    _today(settings, dt.date(2027, 1, 5))
    with pytest.raises(ValidationError, match=MISSING_2027):
        actions.close_public_notice(users["caseworker"], application)

    _enter_2027(_admin_client(), holidays=(dt.date(2027, 1, 1), dt.date(2027, 1, 4)))
    application.refresh_from_db()
    task.refresh_from_db()
    assert application.notice_ends_on == dt.date(2027, 1, 5)
    # 12-29, 12-30, 12-31, then 01-05 … 01-08, 01-11 … 01-15, 01-18 … 01-20: 15 working days.
    assert task.due_on == dt.date(2027, 1, 20)
    with pytest.raises(ValidationError, match="2027-01-05"):
        actions.close_public_notice(users["caseworker"], application)
    _today(settings, dt.date(2027, 1, 6))
    actions.close_public_notice(users["caseworker"], application)
    # A correction of the table moves the stored dates again (4 January a working day after all).
    client_admin = Client()
    client_admin.force_login(User.objects.get(username="calendar_admin"))
    day = CalendarDay.objects.get(date=dt.date(2027, 1, 4))
    response = client_admin.post(
        f"/admin/workcalendar/calendarday/{day.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.due_on == dt.date(2027, 1, 19)
    assert Entitlement.objects.get(pk=entitlement.pk).notice_ends_on == dt.date(2027, 1, 4)


# --- ages ---------------------------------------------------------------------------------------


def test_a_tekun_minor_born_on_29_february_comes_of_age_on_28_february(
    townships: tuple[str, str],
) -> None:
    """The web's ages and anniversaries follow the rules' ``household.leap_day_birthday``: the
    check of a tekun minor is due on 28 February of a common year and support runs to February."""
    born = dt.date(2008, 2, 29)
    assert add_years(born, 18) == dt.date(2026, 2, 28)
    assert age_on(born, dt.date(2026, 2, 27)) == 17 and age_on(born, dt.date(2026, 2, 28)) == 18
    assert termination.month_after_age_limit(born, dt.date(2026, 2, 1)) == "2026-03"
    (household,) = _households(townships[0], 1)
    person = member(household)
    Person.objects.filter(pk=person.pk).update(
        birth_date=born, student_level="none", disability_category="none", disability_grade=None
    )
    make_entitlement(household, program="tekun", person=person, start_month="2024-01")
    assert scheduled.check_tekun_minors(on=dt.date(2026, 1, 15)) == 1
    task = ReviewTask.objects.get(kind=TaskKind.TEKUN_AGE)
    assert task.due_on == dt.date(2026, 2, 28)
