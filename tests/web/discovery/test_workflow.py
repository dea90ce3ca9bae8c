"""The alert's transition table (``discovery.workflow.ALERT``) and the inclusion it ends with:
"included in assistance" stays open until the household's application is registered, then
closes linked both ways; a home visit needs two visitors; refusals say why and write nothing;
the page shows the next step and offers only what the user may do; the workbench's work items;
bad input gives a message, never a server error."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases import actions as cases
from jiuzhu.web.cases.models import Application, Channel
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.transitions import NotPermitted, Refused
from jiuzhu.web.discovery import actions
from jiuzhu.web.discovery.models import Alert, AlertStatus, AlertVisit, Outcome
from jiuzhu.web.discovery.queries import work_items
from jiuzhu.web.discovery.workflow import ALERT, APPLICATION_WORKING_DAYS
from jiuzhu.web.registry.models import Household
from jiuzhu.web.workcalendar.working_days import add_working_days
from tests.web.conftest import ON, PASSWORD
from tests.web.discovery.conftest import alert_row

pytestmark = pytest.mark.django_db
MATERIALS = [
    "application_form",
    "income_asset_declaration",
    "verification_authorisation",
    "truthfulness_undertaking",
    "diagnosis",
]
VISIT = {
    "visited_on": "2025-10-15",
    "staff_1": "王经办",
    "staff_2": "刘协理",
    "findings": "入户查看，家中确有重病患者，医疗负担重",
}


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _visited(user: User, alert: Alert) -> Alert:
    actions.record_visit(
        user,
        alert,
        visited_on=dt.date(2025, 10, 15),
        staff=["王经办", "刘协理"],
        findings="家庭困难属实",
    )
    alert.refresh_from_db()
    return alert


def _included(user: User, alert: Alert, program: str = Program.DIBAO) -> Alert:
    return actions.conclude(
        user, _visited(user, alert), outcome=Outcome.INCLUDED, program=program, note="建议申请"
    )


def _apply(user: User, alert: Alert, program: str = Program.DIBAO) -> Application:
    assert alert.household is not None
    member = alert.household.memberships.filter(valid_to__isnull=True).first()
    return cases.submit_application(
        user,
        alert.household,
        program=program,
        applicant=member.person,
        channel=Channel.COUNTER,
        materials=MATERIALS,
    )


# --- inclusion -------------------------------------------------------------------------------


def test_an_included_alert_stays_open_until_the_application_is_registered(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, _other = two_alerts
    client = _client("caseworker")
    assert client.post(f"/discovery/alerts/{own.pk}/visit/", VISIT).status_code == 302
    response = client.post(
        f"/discovery/alerts/{own.pk}/conclude/",
        {"outcome": "included", "program": "dibao", "note": "建议申请低保"},
    )
    # The new-application page opens prefilled; the alert is open, awaiting the application.
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"/households/{own.household_id}/apply/?")
    assert "program=dibao" in location and f"applicant={own.person_id}" in location
    own.refresh_from_db()
    assert own.status == AlertStatus.AWAITING_APPLICATION and own.is_open
    assert own.outcome == Outcome.INCLUDED and own.program == "dibao"
    assert own.concluded_by == users["caseworker"] and own.concluded_on == ON
    assert own.closed_on is None and own.application is None
    assert own.application_due_on == add_working_days(ON, APPLICATION_WORKING_DAYS)
    assert own.deadline == own.application_due_on
    # The alert page says what it waits for, who acts and by when, and offers the link.
    page = client.get(f"/discovery/alerts/{own.pk}/").content.decode()
    assert "待受理申请" in page and 'id="step-link"' in page and 'href="#step-link"' in page
    assert own.application_due_on.isoformat() in page and "无法规依据" in page
    assert 'id="step-conclude"' not in page and 'id="step-visit"' not in page
    # It stays among the open alerts and on the workbench.
    assert f"/discovery/alerts/{own.pk}/" in client.get("/discovery/").content.decode()
    items = work_items(users["caseworker"], ON)
    assert f"/discovery/alerts/{own.pk}/" in [item.url for item in items.items]
    # Registering the application there links it and closes the alert.
    page = client.get(location).content.decode()
    assert '<option value="dibao" selected>' in page and 'id="from-alert"' in page
    response = client.post(
        location,
        {
            "program": "dibao",
            "applicant": own.person_id,
            "channel": "counter",
            "materials": MATERIALS,
        },
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == AlertStatus.CLOSED and own.closed_on == ON
    assert own.closed_by == users["caseworker"] and own.outcome == Outcome.INCLUDED
    application = own.application
    assert application is not None and application.household_id == own.household_id
    assert list(application.alerts.all()) == [own]  # the other way round
    page = client.get(f"/discovery/alerts/{own.pk}/").content.decode()
    assert application.number in page and f"/applications/{application.pk}/" in page
    assert AuditEvent.objects.filter(
        action="discovery.link_application", object_id=str(own.pk)
    ).exists()
    assert f"/discovery/alerts/{own.pk}/" not in [
        item.url for item in work_items(users["caseworker"], ON).items
    ]


def test_an_application_never_registered_leaves_the_alert_overdue(
    users: dict[str, User], two_alerts: tuple[Alert, Alert], settings: Any
) -> None:
    own, _other = two_alerts
    own = _included(users["caseworker"], own)
    due = own.application_due_on
    assert due is not None
    later = due + dt.timedelta(days=1)
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": later.isoformat()}
    items = work_items(users["caseworker"], later)
    (item,) = [i for i in items.items if i.url == f"/discovery/alerts/{own.pk}/"]
    assert item.overdue and item.due == due and item.state.startswith("待受理申请")
    assert item.action == "关联救助申请"
    client = _client("caseworker")
    assert f"/discovery/alerts/{own.pk}/" in client.get("/discovery/?overdue=on").content.decode()
    page = client.get(f"/discovery/alerts/{own.pk}/").content.decode()
    assert 'id="application-due" class="overdue"' in page
    stats = client.get("/discovery/statistics/").content.decode()
    assert 'id="stat-total"' in stats


def test_an_application_registered_elsewhere_is_linked_from_the_alert_page(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, _other = two_alerts
    own = _included(users["caseworker"], own)
    near = _apply(users["caseworker"], own, Program.NEAR_DIBAO)
    dibao = _apply(users["caseworker"], own)
    client = _client("caseworker")
    page = client.get(f"/discovery/alerts/{own.pk}/").content.decode()
    form = page.split('id="step-link"')[1]
    assert f'<option value="{dibao.pk}"' in form and f'<option value="{near.pk}"' not in form
    # Another program's application is not offered; posting it is refused on the field.
    events = AuditEvent.objects.count()
    response = client.post(f"/discovery/alerts/{own.pk}/link/", {"application": near.pk})
    assert response.status_code == 400
    own.refresh_from_db()
    assert own.status == AlertStatus.AWAITING_APPLICATION and AuditEvent.objects.count() == events
    with pytest.raises(ValidationError, match="救助项目"):
        actions.link(users["caseworker"], own, near)
    response = client.post(f"/discovery/alerts/{own.pk}/link/", {"application": dibao.pk})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == AlertStatus.CLOSED and own.application == dibao


def test_every_alert_awaiting_the_registered_application_is_closed(
    users: dict[str, User], two_alerts: tuple[Alert, Alert], raise_alerts: Any
) -> None:
    from tests.web.discovery.conftest import alert_row

    own, other = two_alerts
    assert own.household is not None
    raise_alerts([alert_row(own.household, signal="REVIEW_DUE", alert_key="second")])
    second = Alert.objects.get(alert_key="second")
    own, second = _included(users["caseworker"], own), _included(users["caseworker"], second)
    application = _apply(users["caseworker"], own)
    closed = actions.link_registered(users["caseworker"], application)
    assert {a.pk for a in closed} == {own.pk, second.pk}
    assert set(application.alerts.values_list("pk", flat=True)) == {own.pk, second.pk}
    # Another township's user closes nothing; another household's alert is not touched.
    other = _included(users["outsider"], other)
    assert actions.link_registered(users["outsider"], application) == []
    assert actions.link_application(users["caseworker"], other.pk, application) is None
    other.refresh_from_db()
    assert other.status == AlertStatus.AWAITING_APPLICATION


def test_an_alert_without_a_registered_household_cannot_be_included(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, _other = two_alerts
    Alert.objects.filter(pk=own.pk).update(household=None)
    own.refresh_from_db()
    own = _visited(users["caseworker"], own)
    with pytest.raises(Refused, match="登记"):
        actions.conclude(users["caseworker"], own, outcome=Outcome.INCLUDED, program="dibao")
    own.refresh_from_db()
    assert own.status == AlertStatus.VISITED and own.outcome == ""


# --- the home visit needs two visitors -------------------------------------------------------


def test_a_visit_by_one_person_is_refused_with_a_message(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, _other = two_alerts
    client = _client("caseworker")
    for staff in ({"staff_1": "王经办"}, {"staff_1": "王经办", "staff_2": " 王经办 "}):
        response = client.post(
            f"/discovery/alerts/{own.pk}/visit/",
            {"visited_on": "2025-10-15", "findings": "已核实", **staff},
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert "入户核实人员不得少于2人" in body or "核实人员不能重复" in body
    for staff in (["王经办"], ["王经办", "王经办"], ["王经办", " ", ""]):
        with pytest.raises(ValidationError):
            actions.record_visit(
                users["caseworker"],
                own,
                visited_on=dt.date(2025, 10, 15),
                staff=staff,
                findings="已核实",
            )
    own.refresh_from_db()
    assert own.status == AlertStatus.OPEN and not AlertVisit.objects.exists()
    # Two, or three with the optional third, are recorded.
    response = client.post(f"/discovery/alerts/{own.pk}/visit/", {**VISIT, "staff_3": "赵社工"})
    assert response.status_code == 302
    assert AlertVisit.objects.get().staff == ["王经办", "刘协理", "赵社工"]


# --- the transition table --------------------------------------------------------------------


def test_refusals_say_why_and_write_nothing(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, _other = two_alerts
    events = AuditEvent.objects.count()
    caseworker, auditor = users["caseworker"], users["auditor"]
    with pytest.raises(Refused, match="“待处理”时不能记录处理结果"):
        actions.conclude(caseworker, own, outcome=Outcome.DISMISSED, note="无困难")
    with pytest.raises(NotPermitted, match=r"记录入户核实由.*办理"):
        actions.record_visit(auditor, own, visited_on=ON, staff=["王经办", "刘协理"], findings="x")
    with pytest.raises(NotPermitted, match="分派由"):
        actions.assign(users["community"], own, caseworker)
    with pytest.raises(Refused, match="不能关联救助申请"):
        actions.link(caseworker, own, _apply(caseworker, own))
    events_after_apply = AuditEvent.objects.count()
    own.refresh_from_db()
    assert own.status == AlertStatus.OPEN and own.outcome == "" and own.application is None
    closed = actions.conclude(
        caseworker, _visited(caseworker, own), outcome=Outcome.DISMISSED, note="无困难"
    )
    for move in ("assign", "visit", "conclude", "link_application"):
        reason = ALERT.refusal(caseworker, closed, move, ON)
        assert reason and "已办结" in reason, move
    with pytest.raises(Refused, match="已办结"):
        actions.record_visit(caseworker, closed, visited_on=ON, staff=["甲", "乙"], findings="x")
    assert AuditEvent.objects.count() == events_after_apply + 2  # the visit and the outcome
    assert events_after_apply > events
    # Through the page: the reason above the form (400), or with the page (who may).
    client = _client("caseworker")
    response = client.post(f"/discovery/alerts/{closed.pk}/visit/", {**VISIT, "staff_2": "刘协理"})
    assert response.status_code == 400 and "已办结" in response.content.decode()


def test_the_page_shows_the_next_step_and_only_the_moves_the_user_may_make(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, _other = two_alerts
    head, community = _client("head"), _client("community")
    page = head.get(f"/discovery/alerts/{own.pk}/").content.decode()
    assert 'id="next-step"' in page and "待处理" in page
    assert 'id="step-assign"' in page and 'id="step-visit"' in page
    assert 'id="step-conclude"' not in page and 'id="step-link"' not in page
    assert own.due_on.isoformat() in page
    # Assigned: the assignee is named as the one who acts next.
    actions.assign(users["head"], own, users["community"])
    page = head.get(f"/discovery/alerts/{own.pk}/").content.decode()
    assert "已分派" in page and "（community）" in page and "已分派给 community" in page
    assert 'href="#step-assign"' in page  # reassign
    page = community.get(f"/discovery/alerts/{own.pk}/").content.decode()
    assert 'id="step-assign"' not in page and 'id="step-visit"' in page
    own = _visited(users["community"], own)
    page = community.get(f"/discovery/alerts/{own.pk}/").content.decode()
    assert 'id="step-conclude"' in page and 'href="#step-conclude"' in page
    # An auditor is told who acts; nothing is offered.
    page = _client("auditor").get(f"/discovery/alerts/{own.pk}/").content.decode()
    assert 'id="not-mine"' in page and "<form" not in page.split('id="next-step"')[1]


def test_work_items_list_the_users_open_alerts_overdue_first(
    users: dict[str, User], townships: tuple[str, str], raise_alerts: Any, settings: Any
) -> None:
    from jiuzhu.web.registry.models import Household
    from tests.web.discovery.conftest import alert_row

    households = list(Household.objects.filter(township_code=townships[0]).order_by("pk")[:25])
    other = Household.objects.filter(township_code=townships[1]).first()
    assert other is not None
    raise_alerts(
        [alert_row(h, alert_key=f"w{h.pk}", deadline_working_days=10) for h in households]
        + [alert_row(other, alert_key="elsewhere")],
        today=dt.date(2025, 9, 26),
    )
    late = Alert.objects.get(alert_key=f"w{households[-1].pk}")
    Alert.objects.filter(pk=late.pk).update(due_on=dt.date(2025, 10, 1))
    found = work_items(users["caseworker"], ON)
    assert found.total == 25 and len(found.items) == 20
    assert found.items[0].url == f"/discovery/alerts/{late.pk}/" and found.items[0].overdue
    assert found.more_url == "/discovery/"
    assert all("elsewhere" not in item.url for item in found.items)
    assert found.items[0].action == "分派、记录入户核实"
    # An alert assigned to a community worker: theirs; an auditor has no work items.
    actions.assign(users["head"], late, users["community"])
    mine = work_items(users["community"], ON)
    assert f"/discovery/alerts/{late.pk}/" in [i.url for i in mine.items]
    assert work_items(users["auditor"], ON).total == 0
    assert work_items(users["outsider"], ON).total == 1


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "data"),
    [
        ("visit", {"visited_on": "2025-02-30", "staff_1": "甲", "staff_2": "乙", "findings": "x"}),
        ("visit", {"visited_on": "２０２５-１０-１５", "staff_1": "甲", "staff_2": "乙"}),
        ("visit", {"visited_on": "2099-01-01", "staff_1": "甲", "staff_2": "乙", "findings": "x"}),
        ("visit", {"visited_on": "2000-01-01", "staff_1": "甲", "staff_2": "乙", "findings": "x"}),
        ("visit", {"visited_on": "NaN", "staff_1": "甲" * 500, "findings": ""}),
        ("visit", {}),
        ("assign", {"assignee": "NaN"}),
        ("assign", {"assignee": "99999999999999999999999"}),
        ("assign", {"assignee": "１"}),
        ("assign", {}),
        ("conclude", {"outcome": "included"}),
        ("conclude", {"outcome": "nonsense", "program": "x"}),
        ("conclude", {"outcome": "dismissed", "note": "  "}),
        ("link", {"application": "-1"}),
        ("link", {"application": "abc"}),
    ],
)
def test_bad_input_gives_a_message_never_a_server_error(
    users: dict[str, User], two_alerts: tuple[Alert, Alert], step: str, data: dict[str, str]
) -> None:
    own, _other = two_alerts
    if step in ("conclude", "link"):
        own = _visited(users["caseworker"], own)
    if step == "link":
        own = actions.conclude(users["caseworker"], own, outcome=Outcome.INCLUDED, program="dibao")
    before = Alert.objects.filter(pk=own.pk).values().get()
    client = _client("caseworker")  # the log-in is an audit event of its own
    events = AuditEvent.objects.count()
    response = client.post(f"/discovery/alerts/{own.pk}/{step}/", data)
    assert response.status_code == 400, response.content.decode()[:300]
    assert 'class="errorlist' in response.content.decode()
    assert Alert.objects.filter(pk=own.pk).values().get() == before
    assert AuditEvent.objects.count() == events


def test_unknown_steps_pks_and_other_townships_answer_404_and_a_get_returns_to_the_page(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, other = two_alerts
    client = _client("caseworker")
    assert client.post(f"/discovery/alerts/{own.pk}/nonsense/", {}).status_code == 404
    assert client.post("/discovery/alerts/999999999/visit/", VISIT).status_code == 404
    for step in ("assign", "visit", "conclude", "link"):
        assert client.post(f"/discovery/alerts/{other.pk}/{step}/", {}).status_code == 404
    response = client.get(f"/discovery/alerts/{own.pk}/visit/")
    assert response.status_code == 302 and response["Location"] == f"/discovery/alerts/{own.pk}/"
    assert client.get(f"/discovery/alerts/{other.pk}/visit/", follow=True).status_code == 404
    assert client.get("/discovery/runs/start/").status_code == 302
    # Another township's application is never linked, nor offered.
    other = _included(users["outsider"], other)
    foreign = _apply(users["outsider"], other)
    own = _included(users["caseworker"], own)
    response = client.post(f"/discovery/alerts/{own.pk}/link/", {"application": foreign.pk})
    assert response.status_code == 400
    own.refresh_from_db()
    assert own.application is None and own.status == AlertStatus.AWAITING_APPLICATION


def test_a_settlement_without_medical_aid_opens_its_application_with_the_own_costs(
    users: dict[str, User], townships: tuple[str, str], raise_alerts: Any
) -> None:
    household = Household.objects.filter(township_code=townships[0]).order_by("pk").first()
    assert household is not None
    evidence = {"signal": "MEDICAL_AID_UNSETTLED", "record": {"out_of_pocket": 1_234_550}}
    raise_alerts(
        [
            alert_row(
                household,
                "MEDICAL_AID_UNSETTLED",
                category="policy_delivery",
                evidence=json.dumps(evidence),
            )
        ]
    )
    alert = Alert.objects.get(household=household)
    client = _client("caseworker")
    assert client.post(f"/discovery/alerts/{alert.pk}/visit/", VISIT).status_code == 302
    response = client.post(
        f"/discovery/alerts/{alert.pk}/conclude/",
        {"outcome": "included", "program": "medical_assistance", "note": "申请医疗救助"},
    )
    location = response["Location"]
    assert "program=medical_assistance" in location and "medical_own_costs=12345.50" in location
    page = client.get(location).content.decode()
    assert 'value="12345.50"' in page and 'id="inputs-medical_assistance"' in page


def test_a_child_without_the_hardship_allowance_opens_the_childs_application(
    users: dict[str, User], townships: tuple[str, str], raise_alerts: Any
) -> None:
    """The record names the program: the outcome form offers it, and including the household
    opens a children-in-hardship application with the child as its applicant."""
    child = next(
        m
        for h in Household.objects.filter(township_code=townships[0]).order_by("pk")
        for m in h.memberships.filter(valid_to__isnull=True, relation__startswith="2")
    )
    household, person = child.household, child.person
    signal = "CHILDREN_IN_HARDSHIP_ALLOWANCE_MISSING"
    evidence = {"signal": signal, "record": {"program": "children_in_hardship", "age": 9}}
    raise_alerts(
        [
            alert_row(
                household,
                signal,
                category="policy_delivery",
                alert_key=f"{signal}:{person.resident_id}:children_in_hardship",
                resident_id=person.resident_id,
                evidence=json.dumps(evidence),
            )
        ]
    )
    alert = Alert.objects.get(household=household)
    assert alert.person_id == person.pk
    client = _client("caseworker")
    assert client.post(f"/discovery/alerts/{alert.pk}/visit/", VISIT).status_code == 302
    page = client.get(f"/discovery/alerts/{alert.pk}/").content.decode()
    assert '<option value="children_in_hardship" selected>' in page
    response = client.post(
        f"/discovery/alerts/{alert.pk}/conclude/",
        {"outcome": "included", "program": "children_in_hardship", "note": "申请困境儿童保障"},
    )
    location = response["Location"]
    assert "program=children_in_hardship" in location and f"applicant={person.pk}" in location
    assert f"alert={alert.pk}" in location
    form = client.get(location).content.decode()
    assert f'<option value="{person.pk}" selected>' in form
    assert '<option value="children_in_hardship" selected>' in form
