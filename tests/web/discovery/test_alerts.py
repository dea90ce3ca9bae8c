"""The alert workflow: jurisdiction (deny by default), idempotent re-runs, adverse alerts open a
verification task and touch no entitlement or payment, assignment, home visit, referral and
dismissal, deadlines in working days with the 国庆 holiday and its 调休 working days, no N+1 on
the inbox. Inclusion and the transition table: test_workflow.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jiuzhu.web.accounts.models import Role, User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.discovery import actions
from jiuzhu.web.discovery.models import (
    Alert,
    AlertStatus,
    AlertVisit,
    Department,
    Outcome,
)
from jiuzhu.web.entitlements.models import (
    Entitlement,
    EntitlementVersion,
    ReviewTask,
    TaskKind,
    TaskStatus,
)
from jiuzhu.web.payments import actions as payments
from jiuzhu.web.payments.models import Payment
from jiuzhu.web.registry.models import Household
from tests.web.conftest import PASSWORD, make_user
from tests.web.discovery.conftest import alert_row
from tests.web.payments.conftest import grant

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _visit(user: User, alert: Alert) -> AlertVisit:
    return actions.record_visit(
        user,
        alert,
        visited_on=dt.date(2025, 10, 15),
        staff=["王经办", "刘协理"],
        findings="入户查看，家中确有重病患者，医疗负担重",
    )


# --- jurisdiction ----------------------------------------------------------------------------


def test_a_township_user_sees_only_its_own_alerts(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, other = two_alerts
    caseworker = _client("caseworker")
    inbox = caseworker.get("/discovery/").content.decode()
    assert f"/discovery/alerts/{own.pk}/" in inbox
    assert f"/discovery/alerts/{other.pk}/" not in inbox
    # The workbench lists the township's open alerts only (one of the two).
    workbench = caseworker.get("/").content.decode()
    assert "主动发现预警" in workbench
    assert f"/discovery/alerts/{own.pk}/" in workbench
    assert f"/discovery/alerts/{other.pk}/" not in workbench
    assert caseworker.get(f"/discovery/alerts/{own.pk}/").status_code == 200
    # Another township's alert answers 404, read or write, and nothing is written.
    assert caseworker.get(f"/discovery/alerts/{other.pk}/").status_code == 404
    for step, data in (
        ("assign", {"assignee": users["caseworker"].pk}),
        ("visit", {"visited_on": "2025-10-15", "staff_1": "王", "findings": "x"}),
        ("conclude", {"outcome": "dismissed", "note": "x"}),
    ):
        response = caseworker.post(f"/discovery/alerts/{other.pk}/{step}/", data)
        assert response.status_code == 404, step
    other.refresh_from_db()
    assert other.status == AlertStatus.OPEN and not other.visits.exists()
    # The action refuses too.
    with pytest.raises(PermissionDenied):
        actions.record_visit(
            users["caseworker"],
            other,
            visited_on=dt.date(2025, 10, 15),
            staff=["王经办", "刘协理"],
            findings="x",
        )
    # The district sees both; the other township sees its own only.
    district = _client("officer").get("/discovery/").content.decode()
    assert (
        f"/discovery/alerts/{own.pk}/" in district and f"/discovery/alerts/{other.pk}/" in district
    )
    outsider = _client("outsider").get("/discovery/").content.decode()
    assert (
        f"/discovery/alerts/{other.pk}/" in outsider
        and f"/discovery/alerts/{own.pk}/" not in outsider
    )


def test_an_auditor_reads_but_never_writes(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, _other = two_alerts
    auditor = _client("auditor")
    page = auditor.get(f"/discovery/alerts/{own.pk}/").content.decode()
    assert 'id="step-visit"' not in page and 'id="step-assign"' not in page
    assert 'id="not-mine"' in page  # the next step names who acts, not the auditor
    # The evidence is shown in words and yuan: labelled fields, fen as yuan, the ID masked,
    # the signal and its legal basis rather than the explanation's template.
    assert "个人负担" in page and "12,000.00 元" in page and "1200000" not in page
    assert "120224********1234" in page and "120224198001011234" not in page
    assert "《社会救助暂行办法》" in page and "{threshold}" not in page
    events = AuditEvent.objects.count()
    response = auditor.post(
        f"/discovery/alerts/{own.pk}/visit/",
        {"visited_on": "2025-10-15", "staff_1": "钱审计", "staff_2": "孙审计", "findings": "x"},
        follow=True,
    )
    assert "记录入户核实由" in response.content.decode()  # who may, in words
    assert auditor.post("/discovery/runs/start/", {"month": "2025-09"}).status_code == 403
    # Nothing written but the record of the refused access itself.
    assert not own.visits.exists()
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)[events:]) == [
        "audit.access_denied"
    ]


# --- runs are idempotent ---------------------------------------------------------------------


def test_running_a_month_again_creates_no_duplicate_alert(
    townships: tuple[str, str], raise_alerts: Callable[..., dict[str, int]]
) -> None:
    households = list(Household.objects.filter(township_code=townships[0]).order_by("pk")[:3])
    rows = [alert_row(h) for h in households]
    first = raise_alerts(rows)
    assert first["created"] == 3 and first["already_open"] == 0
    again = raise_alerts(rows)
    assert again == {
        "found": 3,
        "created": 0,
        "already_open": 3,
        "already_closed": 0,
        "out_of_scope": 0,
        "tasks_opened": 0,
    }
    assert Alert.objects.count() == 3
    # A closed alert is not raised again for the same episode either.
    closed = Alert.objects.order_by("pk").first()
    assert closed is not None
    Alert.objects.filter(pk=closed.pk).update(status=AlertStatus.CLOSED, outcome="referred")
    third = raise_alerts([*rows, rows[0]])  # a duplicate inside the frame too
    assert third["created"] == 0 and third["already_open"] == 2 and third["already_closed"] == 1
    assert Alert.objects.count() == 3


def test_alerts_outside_the_runs_jurisdiction_are_left_out(
    townships: tuple[str, str],
) -> None:
    from jiuzhu.web.discovery.models import DiscoveryRun
    from tests.web.discovery.conftest import alert_frame

    own = Household.objects.filter(township_code=townships[0]).first()
    other = Household.objects.filter(township_code=townships[1]).first()
    run = DiscoveryRun.objects.create(month="2025-09", division_code=townships[0])
    counts = actions.write_alerts(None, alert_frame([alert_row(own), alert_row(other)]), run=run)
    assert counts["created"] == 1 and counts["out_of_scope"] == 1
    assert not Alert.objects.filter(township_code=townships[1]).exists()


# --- adverse alerts --------------------------------------------------------------------------


def test_an_adverse_alert_opens_a_verification_task_and_touches_no_entitlement_or_payment(
    users: dict[str, User],
    townships: tuple[str, str],
    raise_alerts: Callable[..., dict[str, int]],
) -> None:
    household = Household.objects.filter(township_code=townships[0]).order_by("pk").first()
    assert household is not None
    (entitlement,) = grant([household], start="2025-09", amount=104_500)
    run = payments.draft_run(users["officer"], "2025-10", "dibao")
    payments_before = list(Payment.objects.filter(run=run).values())
    entitlement_before = Entitlement.objects.filter(pk=entitlement.pk).values().get()
    versions_before = list(EntitlementVersion.objects.filter(entitlement=entitlement).values())
    counts = raise_alerts(
        [
            alert_row(
                household,
                signal="asset_vehicle",
                category="dynamic_management",
                alert_key=f"asset_vehicle:{household.number}:津A12345",
                adverse=True,
                deadline_working_days=15,
                explanation_zh="低保家庭成员新登记机动车 津A12345，需核实",
                explanation_en="A member of a dibao household registered a vehicle",
            )
        ]
    )
    assert counts["created"] == 1 and counts["tasks_opened"] == 1
    alert = Alert.objects.get()
    task = ReviewTask.objects.get(entitlement=entitlement, kind=TaskKind.DISCOVERY_CHECK)
    assert task.key == f"alert:{alert.pk}" and task.due_on == alert.due_on
    assert task.status == TaskStatus.OPEN and "津A12345" in task.reason
    # Nothing about the entitlement or its payments changed.
    assert Entitlement.objects.filter(pk=entitlement.pk).values().get() == entitlement_before
    assert list(EntitlementVersion.objects.filter(entitlement=entitlement).values()) == (
        versions_before
    )
    assert list(Payment.objects.filter(run=run).values()) == payments_before
    # Running again opens no second task; closing the alert changes nothing either.
    assert (
        raise_alerts([alert_row(household, alert_key=alert.alert_key, adverse=True)])[
            "tasks_opened"
        ]
        == 0
    )
    _visit(users["caseworker"], alert)
    actions.conclude(
        users["caseworker"], alert, outcome=Outcome.DISMISSED, note="车辆为亲属借名登记"
    )
    assert Entitlement.objects.filter(pk=entitlement.pk).values().get() == entitlement_before
    assert list(Payment.objects.filter(run=run).values()) == payments_before
    # The alert page links the task; the task queue shows it.
    client = _client("caseworker")
    page = client.get(f"/discovery/alerts/{alert.pk}/").content.decode()
    assert f"/entitlements/tasks/{task.pk}/" in page
    assert client.get(f"/entitlements/tasks/{task.pk}/").status_code == 200
    assert f"/entitlements/tasks/{task.pk}/" in client.get("/entitlements/tasks/").content.decode()


# --- assignment ------------------------------------------------------------------------------


def test_assignment_stays_within_the_owning_division(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, _other = two_alerts
    head = users["head"]
    # Another township's caseworker, an auditor: refused, nothing written.
    for assignee in (users["outsider"], users["auditor"]):
        with pytest.raises(ValidationError):
            actions.assign(head, own, assignee)
    own.refresh_from_db()
    assert own.assigned_to is None and own.status == AlertStatus.OPEN
    # A community worker may not assign.
    with pytest.raises(PermissionDenied):
        actions.assign(users["community"], own, users["caseworker"])
    response = _client("head").post(
        f"/discovery/alerts/{own.pk}/assign/", {"assignee": users["outsider"].pk}
    )
    assert response.status_code == 400  # not offered: the form refuses it
    own.refresh_from_db()
    assert own.assigned_to is None
    # Assigned to the township's community worker, who then sees and handles it.
    response = _client("head").post(
        f"/discovery/alerts/{own.pk}/assign/", {"assignee": users["community"].pk}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.assigned_to == users["community"] and own.status == AlertStatus.ASSIGNED
    community = _client("community")
    assert f"/discovery/alerts/{own.pk}/" in community.get("/discovery/?mine=on").content.decode()
    response = community.post(
        f"/discovery/alerts/{own.pk}/visit/",
        {
            "visited_on": "2025-10-15",
            "staff_1": "刘协理",
            "staff_2": "王经办",
            "findings": "已核实",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="discovery.assign", object_id=str(own.pk)).exists()


# --- visit and outcomes ----------------------------------------------------------------------


def test_referral_records_the_department(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, _other = two_alerts
    _visit(users["caseworker"], own)
    client = _client("caseworker")
    response = client.post(f"/discovery/alerts/{own.pk}/conclude/", {"outcome": "referred"})
    assert response.status_code == 400  # which department?
    response = client.post(
        f"/discovery/alerts/{own.pk}/conclude/",
        {"outcome": "referred", "referred_to": "health_insurance", "note": "转医保申请医疗救助"},
    )
    assert response.status_code == 302 and response["Location"] == f"/discovery/alerts/{own.pk}/"
    own.refresh_from_db()
    assert own.outcome == Outcome.REFERRED and own.referred_to == Department.HEALTH_INSURANCE
    assert own.outcome_note == "转医保申请医疗救助"


def test_a_dismissal_without_a_reason_is_refused_and_writes_nothing(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, _other = two_alerts
    _visit(users["caseworker"], own)
    client = _client("caseworker")  # the log-in is an audit event of its own
    events = AuditEvent.objects.count()
    response = client.post(
        f"/discovery/alerts/{own.pk}/conclude/", {"outcome": "dismissed", "note": "  "}
    )
    assert response.status_code == 400
    assert "不予处理须说明理由" in response.content.decode()
    with pytest.raises(ValidationError):
        actions.conclude(users["caseworker"], own, outcome=Outcome.DISMISSED, note="")
    own.refresh_from_db()
    assert own.status == AlertStatus.VISITED and own.outcome == "" and own.closed_on is None
    assert AuditEvent.objects.count() == events
    actions.conclude(users["caseworker"], own, outcome=Outcome.DISMISSED, note="数据错误：已迁出")
    own.refresh_from_db()
    assert own.status == AlertStatus.CLOSED and own.outcome_note == "数据错误：已迁出"


def test_a_visit_needs_staff_and_findings(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, _other = two_alerts
    with pytest.raises(ValidationError):
        actions.record_visit(
            users["caseworker"],
            own,
            visited_on=dt.date(2025, 10, 15),
            staff=["王经办", "刘协理"],
            findings=" ",
        )
    with pytest.raises(ValidationError):
        actions.record_visit(
            users["caseworker"],
            own,
            visited_on=dt.date(2025, 10, 16),
            staff=["王经办", "刘协理"],
            findings="x",
        )
    assert not own.visits.exists()


# --- deadlines -------------------------------------------------------------------------------


def test_deadlines_count_working_days_across_national_day_and_its_make_up_days(
    users: dict[str, User],
    townships: tuple[str, str],
    raise_alerts: Callable[..., dict[str, int]],
) -> None:
    households = list(Household.objects.filter(township_code=townships[0]).order_by("pk")[:3])
    # Raised on Friday 2025-09-26: Saturday 27th is a rest day, Sunday 28th a make-up working
    # day (调休), 1–8 October the National Day holiday, Saturday 11 October a make-up day.
    raise_alerts(
        [
            alert_row(households[0], alert_key="a", deadline_working_days=3),
            alert_row(households[1], alert_key="b", deadline_working_days=6),
            alert_row(households[2], alert_key="c", deadline_working_days=10),
        ],
        today=dt.date(2025, 9, 26),
    )
    due = dict(Alert.objects.values_list("alert_key", "due_on"))
    assert due["a"] == dt.date(2025, 9, 30)  # 28th, 29th, 30th
    assert due["b"] == dt.date(2025, 10, 11)  # … 9th, 10th, Saturday 11th (调休)
    assert due["c"] == dt.date(2025, 10, 16)  # … 11th, 13th, 14th, 15th, 16th
    # Today is 2025-10-15: a and b are overdue, c is not; a closed alert is never overdue.
    b = Alert.objects.get(alert_key="b")
    _visit(users["caseworker"], b)
    actions.conclude(users["caseworker"], b, outcome=Outcome.DISMISSED, note="重复预警")
    client = _client("caseworker")
    page = client.get("/discovery/?overdue=on").content.decode()
    a = Alert.objects.get(alert_key="a")
    c = Alert.objects.get(alert_key="c")
    assert f"/discovery/alerts/{a.pk}/" in page
    assert f"/discovery/alerts/{b.pk}/" not in page and f"/discovery/alerts/{c.pk}/" not in page
    assert 'class="overdue-row"' in page
    detail = client.get(f"/discovery/alerts/{a.pk}/").content.decode()
    assert 'id="due" class="overdue"' in detail


# --- inbox -----------------------------------------------------------------------------------


def test_the_inbox_filters_by_status_category_and_signal(
    users: dict[str, User],
    townships: tuple[str, str],
    raise_alerts: Callable[..., dict[str, int]],
) -> None:
    households = list(Household.objects.filter(township_code=townships[0]).order_by("pk")[:2])
    raise_alerts(
        [
            alert_row(households[0]),
            alert_row(households[1], signal="REVIEW_DUE", category="dynamic_management"),
        ]
    )
    med = Alert.objects.get(signal="MED_HIGH_OOP")
    review = Alert.objects.get(signal="REVIEW_DUE")
    client = _client("caseworker")
    page = client.get("/discovery/", {"category": "needs"}).content.decode()
    assert f"/alerts/{med.pk}/" in page and f"/alerts/{review.pk}/" not in page
    page = client.get("/discovery/", {"signal": "REVIEW_DUE"}).content.decode()
    assert f"/alerts/{med.pk}/" not in page and f"/alerts/{review.pk}/" in page
    _visit(users["caseworker"], med)
    actions.conclude(users["caseworker"], med, outcome=Outcome.DISMISSED, note="已享受医疗救助")
    page = client.get("/discovery/").content.decode()  # open alerts by default
    assert f"/alerts/{med.pk}/" not in page
    page = client.get("/discovery/", {"status": "closed"}).content.decode()
    assert f"/alerts/{med.pk}/" in page and f"/alerts/{review.pk}/" not in page


def test_the_inbox_makes_a_fixed_number_of_queries(
    users: dict[str, User],
    townships: tuple[str, str],
    raise_alerts: Callable[..., dict[str, int]],
) -> None:
    households = list(Household.objects.filter(township_code=townships[0]).order_by("pk")[:30])
    client = _client("caseworker")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/discovery/").status_code == 200
        return len(captured)

    raise_alerts([alert_row(h, alert_key=f"k{h.pk}") for h in households[:3]])
    few = queries()
    raise_alerts([alert_row(h, alert_key=f"k{h.pk}") for h in households])
    Alert.objects.filter(pk__in=Alert.objects.order_by("pk").values("pk")[:10]).update(
        assigned_to=users["caseworker"], status=AlertStatus.ASSIGNED
    )
    assert Alert.objects.count() == len(households)
    assert queries() == few
    assert few <= 12


# --- statistics ------------------------------------------------------------------------------


def test_statistics_count_by_category_township_and_signal_with_median_closing_time(
    users: dict[str, User],
    townships: tuple[str, str],
    raise_alerts: Callable[..., dict[str, int]],
    settings: Any,
) -> None:
    households = list(Household.objects.filter(township_code=townships[0]).order_by("pk")[:3])
    raise_alerts(
        [alert_row(h, alert_key=f"s{h.pk}") for h in households], today=dt.date(2025, 10, 9)
    )
    for alert in Alert.objects.order_by("pk")[:2]:
        _visit(users["caseworker"], alert)
        actions.conclude(users["caseworker"], alert, outcome=Outcome.DISMISSED, note="已核实无困难")
    # Raised Thursday 9 October, closed Wednesday 15th: 10th, 11th (调休), 13th, 14th, 15th.
    page = _client("officer").get("/discovery/statistics/").content.decode()
    assert 'id="stat-total"' in page
    from jiuzhu.web.discovery.queries import statistics_by
    from jiuzhu.web.workcalendar.working_days import load_calendar

    rows = list(
        Alert.objects.values_list(
            "category",
            "township_code",
            "signal",
            "status",
            "outcome",
            "raised_on",
            "due_on",
            "closed_on",
        )
    )
    tables = statistics_by(rows, load_calendar([2025]), dt.date(2025, 10, 15), {})
    (total,) = tables["all"]
    assert (total.total, total.open, total.dismissed, total.median_days) == (3, 1, 2, 5)
    assert [r.key for r in tables["township"]] == [townships[0]]
    assert "5" in page


def test_a_community_worker_cannot_assign_and_another_role_cannot_handle(
    users: dict[str, User], two_alerts: tuple[Alert, Alert]
) -> None:
    own, _other = two_alerts
    admin = make_user("sysadmin", Role.ADMINISTRATOR, "120115")
    with pytest.raises(PermissionDenied):
        actions.record_visit(
            admin, own, visited_on=dt.date(2025, 10, 15), staff=["管理员", "助理"], findings="x"
        )
    assert not AlertVisit.objects.exists()


def test_a_community_worker_sees_its_communitys_alerts_only(
    users: dict[str, User],
    townships: tuple[str, str],
    raise_alerts: Callable[..., dict[str, int]],
) -> None:
    community = users["community"].division_code
    mine = Household.objects.filter(division_code=community).order_by("pk").first()
    township_owned = (
        Household.objects.filter(township_code=townships[0])
        .exclude(division_code=community)
        .first()
    )
    assert mine is not None and township_owned is not None
    raise_alerts(
        [
            alert_row(mine, alert_key="c1", owner_level="community", owner_division=community),
            alert_row(township_owned, alert_key="t1"),
        ]
    )
    c1, t1 = Alert.objects.get(alert_key="c1"), Alert.objects.get(alert_key="t1")
    client = _client("community")
    page = client.get("/discovery/").content.decode()
    assert f"/discovery/alerts/{c1.pk}/" in page and f"/discovery/alerts/{t1.pk}/" not in page
    assert client.get(f"/discovery/alerts/{t1.pk}/").status_code == 404
    # The township sees both (its communities' alerts too).
    page = _client("caseworker").get("/discovery/").content.decode()
    assert f"/discovery/alerts/{c1.pk}/" in page and f"/discovery/alerts/{t1.pk}/" in page
