"""Statistics (统计报表): figures equal hand counts on a small fixture, the export is
suppressed, scoped and audited, and each role sees what it may."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.web.accounts.models import DISTRICT_CODE, User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases.actions import submit_application
from jiuzhu.web.cases.models import Channel
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.payments.models import Payment, PaymentStatus, PayrollRun, RunStatus
from jiuzhu.web.registry.models import Household
from jiuzhu.web.statistics.figures import figures
from jiuzhu.web.statistics.tables import SPEC_BY_KEY, TOTAL, Row, Table, build
from tests.web.conftest import PASSWORD
from tests.web.entitlements.conftest import make_entitlement, member

MONTHS = ["2025-08", "2025-09", "2025-10"]


def _members(household: Household, on: str = "2025-10-31") -> int:
    return household.memberships.filter(valid_from__lte=on, valid_to__isnull=True).count()


def _pay(entitlements: list[Entitlement], month: str, user: User) -> None:
    """A run of ``month`` exported to the bank, paying each entitlement its version."""
    run = PayrollRun.objects.create(
        month=month,
        program=entitlements[0].program,
        status=RunStatus.EXPORTED,
        drafted_by=user,
        drafted_at="2025-10-01T00:00:00Z",
    )
    for e in entitlements:
        version = e.versions.get()
        Payment.objects.create(
            run=run,
            entitlement=e,
            version=version,
            household=e.household,
            division_code=e.division_code,
            month=month,
            kind="regular",
            amount=version.monthly_amount,
            status=PaymentStatus.EXPORTED,
        )


@pytest.fixture
def fixture(townships: tuple[str, str], users: dict[str, User]) -> dict[str, Any]:
    """In the first township: 3 urban and 1 rural dibao households (one from September), 1
    tekun person institutional; in the other: up to 6 rural dibao households. October paid."""
    first, other = townships
    mine = list(Household.objects.filter(township_code=first).order_by("pk")[:4])
    theirs = list(Household.objects.filter(township_code=other).order_by("pk")[:6])
    for h, area in zip(mine, ["urban", "urban", "urban", "rural"], strict=True):
        h.area_type = area
        h.save(update_fields=["area_type"])
    for h in theirs:
        h.area_type = "rural"
        h.save(update_fields=["area_type"])
    dibao = [
        make_entitlement(h, amount=50_000, start_month="2025-09" if i == 0 else "2025-08")
        for i, h in enumerate(mine)
    ]
    others = [make_entitlement(h, amount=70_000, start_month="2025-08") for h in theirs]
    person = member(mine[0])
    person.tekun_support_form = "institutional"
    person.save(update_fields=["tekun_support_form"])
    tekun = make_entitlement(mine[0], program="tekun", amount=200_000, person=person)
    _pay([*dibao, *others], "2025-10", users["officer"])
    _pay([tekun], "2025-10", users["officer"])
    return {"mine": mine, "theirs": theirs, "first": first, "other": other}


@pytest.mark.django_db
def test_figures_equal_hand_counts(fixture: dict[str, Any]) -> None:
    first, other, mine, theirs = (fixture[k] for k in ("first", "other", "mine", "theirs"))
    frame = figures(DISTRICT_CODE, MONTHS)
    october = frame.filter(frame["month"] == "2025-10")
    table = build(october, SPEC_BY_KEY["dibao"], [first, other], ["A", "B"], "township")
    urban, rural, total = table.rows[0].values
    assert urban["households"] == 3
    assert urban["persons"] == sum(_members(h) for h in mine[:3])
    assert urban["amount"] == 3 * 50_000
    assert rural["households"] == 1 and rural["amount"] == 50_000
    assert total["households"] == 4
    b = table.rows[1].values
    n = len(theirs)
    assert b[1]["households"] == n and b[1]["amount"] == n * 70_000
    assert table.total is not None and table.total.values[2]["households"] == 4 + n
    # August: the first household's entitlement starts in September; nothing was paid.
    trend = build(frame, SPEC_BY_KEY["dibao"], MONTHS, MONTHS, "month")
    assert [r.values[2]["households"] for r in trend.rows] == [3 + n, 4 + n, 4 + n]
    assert [r.values[2]["amount"] for r in trend.rows] == [0, 0, 4 * 50_000 + n * 70_000]
    tekun = build(october, SPEC_BY_KEY["tekun"], [first, other], ["A", "B"], "township")
    institutional, home_based, _total = tekun.rows[0].values
    assert (institutional["persons"], institutional["amount"]) == (1, 200_000)
    assert home_based["persons"] == 0


@pytest.mark.django_db
def test_export_is_suppressed_scoped_and_audited(fixture: dict[str, Any]) -> None:
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    response = client.get(
        "/statistics/export/", {"table": "dibao", "start": "2025-08", "end": "2025-10"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    by_township = book.worksheets[1]
    rows = [list(row) for row in by_township.iter_rows(values_only=True)]
    labels = [r[0] for r in rows]
    # Only the caseworker's township, then the total.
    assert len([r for r in rows[7:] if r[0]]) == 2
    assert "2025-08" in str(rows[1][0]) and "caseworker" in str(rows[2][0])
    own = rows[7]
    # 3 urban households (<5) hidden; 1 rural (<5) hidden; their amounts hidden too.
    assert own[1] == "<5" and own[3] == "×" and own[4] == "<5"
    assert "<5" in labels or own[1] == "<5"
    assert AuditEvent.objects.filter(action="statistics.export", user__username="caseworker")
    district = Client()
    assert district.login(username="officer", password=PASSWORD)
    whole = load_workbook(
        io.BytesIO(
            district.get("/statistics/export/", {"table": "dibao", "end": "2025-10"}).content
        )
    ).worksheets[1]
    names = [r[0] for r in whole.iter_rows(min_row=8, values_only=True)]
    assert len(names) > 3 and names[-1] == "合计"  # every township of the district


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("caseworker", 200),
        ("head", 200),
        ("officer", 200),
        ("director", 200),
        ("auditor", 200),
        ("community", 403),
    ],
)
def test_pages_per_role(fixture: dict[str, Any], username: str, status: int) -> None:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    response = client.get("/statistics/", {"start": "2025-08", "end": "2025-10"})
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        # The chart itself (its figure), not only an attribute naming its data.
        assert '<figure class="chart" id="chart-dibao-trend"' in page
        assert "导出 Excel" in page


@pytest.mark.django_db
def test_a_township_page_holds_only_its_township(fixture: dict[str, Any]) -> None:
    from jiuzhu.reference import division

    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    page = client.get("/statistics/", {"end": "2025-10"}).content.decode()
    other = division(fixture["other"])
    assert other is not None and other.name not in page


@pytest.mark.django_db
def test_a_single_person_units_dibao_counts_its_one_member(
    fixture: dict[str, Any], users: dict[str, User]
) -> None:
    """单人户: the dibao of a seriously ill or disabled member, granted alone, covers one
    person, not the household's members."""
    household = fixture["mine"][1]
    assert _members(household) > 1
    application = submit_application(
        users["caseworker"],
        household,
        program="dibao",
        applicant=member(household),
        channel=Channel.COUNTER,
        materials=[],
    )
    application.single_person_choice = "single_person_unit"
    application.save(update_fields=["single_person_choice"])
    Entitlement.objects.filter(household=household, program="dibao").update(application=application)
    october = figures(DISTRICT_CODE, ["2025-10"])
    table = build(october, SPEC_BY_KEY["dibao"], [fixture["first"]], ["A"], "township")
    urban = table.rows[0].values[0]
    assert urban["persons"] == _members(fixture["mine"][0]) + _members(fixture["mine"][2]) + 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "period",
    [
        {"start": "abc"},
        {"start": "2025-10", "end": "2025-08"},
        {"start": "2026-01"},  # after the current month, the end left blank
        {"start": "2020-01"},  # 70 months to the current one
    ],
)
def test_an_invalid_period_shows_its_error_and_no_table(
    fixture: dict[str, Any], period: dict[str, str]
) -> None:
    client = Client()
    assert client.login(username="officer", password=PASSWORD)
    response = client.get("/statistics/", period)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="no-period"' in page
    assert 'class="errorlist' in page
    assert "table-dibao" not in page and "chart-data-" not in page and "/export/" not in page


@pytest.mark.django_db
def test_the_export_of_an_invalid_period_is_refused(fixture: dict[str, Any]) -> None:
    client = Client()
    assert client.login(username="officer", password=PASSWORD)
    response = client.get("/statistics/export/", {"table": "dibao", "start": "abc"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "月份格式应为 YYYY-MM" in page and "未导出" in page
    assert not AuditEvent.objects.filter(action="statistics.export").exists()


@pytest.mark.django_db
def test_a_chart_whose_every_cell_is_hidden_says_so(fixture: dict[str, Any]) -> None:
    """The caseworker's township: 3 urban and 1 rural household, both under 5: the township
    chart has nothing to draw and says why; its counts tick whole numbers."""
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    page = client.get("/statistics/", {"start": "2025-08", "end": "2025-10"}).content.decode()
    chart = page.split('id="chart-dibao-townships"', 1)[1].split("</figure>", 1)[0]
    assert "各格均小于5或为防推算而隐藏" in chart and "chart-canvas" not in chart
    assert "<th>乡镇（街道）</th>" in chart and "城市（户）" in chart


def test_a_count_chart_ticks_whole_numbers_and_its_image_names_where_and_when() -> None:
    spec = SPEC_BY_KEY["near_dibao"]
    values = {"households": 40, "persons": 90, "amount": 1_000}
    table = Table(spec, [(TOTAL, str(spec.title))], [Row("2025-10", [values])], None)
    table.mark()
    chart = table.chart("k", "低保边缘家庭：逐月", "line", "月份", "宝坻区低保边缘家庭：逐月")
    assert chart.data["decimals"] == 0  # the script gives the axis minInterval 1
    assert chart.data["export_title"] == "宝坻区低保边缘家庭：逐月（户）"
    assert chart.headers == ["月份", "低保边缘家庭（户）"] and chart.rows == [("2025-10", ["40"])]
