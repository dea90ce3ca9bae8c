"""A de facto unsupported child registered from a custody-feed alert, in a real browser, through
to the first monthly allowance (issue 13's acceptance journey):

the custody file of December 2025 shows the father of a nine-year-old taken to prison; the
month's discovery run raises "a child lost a parent" for the child; the caseworker visits,
records the father's absence and, on the child's record, what became of each parent (the father
in prison for five years, the mother out of contact for seven months); concludes "included" for
the orphan and de facto unsupported child allowance, which opens the application prefilled with
the child; verification decides 2,605 yuan a month; the township head's approval goes to the
district with no public notice (a child is never published); two district officers decide; the
guardian's bank account is entered and checked; January's payroll for the allowance is drafted,
checked, approved and exported with the child's household in the bank file. Screenshots under
``test-artifacts/screenshots/child-*``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.cases.workflow import next_month
from jiuzhu.web.discovery.actions import run_discovery
from jiuzhu.web.discovery.models import Alert
from jiuzhu.web.documents.actions import fill_example_offices
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.payments.models import BankFile, PayrollRun
from jiuzhu.web.registry.membership import add_member
from jiuzhu.web.registry.models import Household
from jiuzhu.web.registry.upkeep import register_household
from tests.web.browser.support import full_id, login, needs_chromium, set_today, shot
from tests.web.conftest import make_user

pytestmark = needs_chromium

GRANDMOTHER, FATHER, CHILD = "12022419590308302", "12022419870615301", "12022420160910301"
ACCOUNT = "6217 0000 2222 3333 442"
IMPRISONED = dt.date(2025, 12, 18)
CONTACT_LOST = dt.date(2025, 5, 6)


def _shot(page: Any, name: str) -> None:
    shot(page, f"child-{name}")


def _person(number: str, name: str) -> dict[str, Any]:
    born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return {"resident_id": full_id(number), "name": name, "birth_date": born}


def _household(township: str) -> Household:
    """The grandmother (applicant), her son and his daughter, registered before the month."""
    community = (
        Household.objects.filter(township_code=township)
        .order_by("division_code")
        .values_list("division_code", flat=True)
        .first()
    )
    clerk = make_user("clerk", Role.TOWNSHIP_CASEWORKER, township)
    household = register_household(
        clerk,
        household={
            "division_code": community,
            "address": "天津市宝坻区示例村9号",
            "area_type": "rural",
        },
        applicant=_person(GRANDMOTHER, "王桂芝"),
        on=dt.date(2025, 6, 1),
    )
    add_member(clerk, household, relation="20", on=dt.date(2025, 6, 1), **_person(FATHER, "李建军"))
    add_member(clerk, household, relation="40", on=dt.date(2025, 6, 1), **_person(CHILD, "李小雨"))
    return household


def _custody_file(folder: Path) -> Path:
    month = folder / "2025-12"
    month.mkdir(parents=True)
    (month / "custody.csv").write_text(
        "身份证号,姓名,羁押类型,执行场所,入所日期,预计释放日期\n"
        f"{full_id(FATHER)},李建军,服刑,天津市监狱,{IMPRISONED},{IMPRISONED.replace(year=2030)}\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.django_db(transaction=True)
def test_a_custody_alert_to_the_first_monthly_allowance(
    committed_district: None,
    live_server: Any,
    browser_page: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    township = Household.objects.order_by("township_code").values_list("township_code", flat=True)[
        0
    ]
    set_today(settings, dt.date(2025, 12, 19))
    household = _household(township)
    for name, role, division in (
        ("caseworker", Role.TOWNSHIP_CASEWORKER, township),
        ("head", Role.TOWNSHIP_HEAD, township),
        ("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE),
        ("officer2", Role.DISTRICT_OFFICER, DISTRICT_CODE),
        ("director", Role.DISTRICT_DIRECTOR, DISTRICT_CODE),
    ):
        make_user(name, role, division)
    fill_example_offices()

    # 0. December's custody file arrives; the month's discovery run raises the alert.
    officer = make_user("runner", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    run_discovery(officer, "2025-12", folder=_custody_file(tmp_path / "feeds"))
    alert = Alert.objects.get(household=household, signal="CHILD_LOST_PARENT")
    child = household.memberships.get(relation="40")
    assert alert.person_id == child.person_id
    page, base = browser_page, live_server.url

    # 1. The caseworker finds the alert, reads it and records the home visit by two staff.
    login(page, base, "caseworker")
    page.goto(f"{base}/discovery/alerts/{alert.pk}/")
    assert "儿童失去父母照料" in page.inner_text("h1")
    assert full_id(FATHER) not in page.content()  # the father's ID is masked in the evidence
    page.fill(
        "#step-visit textarea[name=findings]", "入户核实：父亲服刑，母亲2025年5月起失联，由祖母照料"
    )
    page.fill("#step-visit input[name=staff_2]", "刘协理")
    page.click("#step-visit button")
    page.wait_for_selector("text=已记录入户核实情况")
    _shot(page, "01-alert-visited")

    # 2. The father's absence, and each parent's situation on the child's record.
    page.goto(f"{base}/registry/households/{household.pk}/")
    father = page.locator("#members tr", has_text="李建军")
    father.locator("a:has-text('离家')").click()
    page.select_option("select[name=reason]", "prison")
    page.fill("input[name=since]", IMPRISONED.isoformat())
    page.click("button:has-text('保存')")
    page.wait_for_selector(".messages")
    page.locator("#members tr", has_text="李小雨").locator("a:has-text('修改')").click()
    page.select_option("select[name=father_situation]", "imprisoned")
    page.fill("input[name=father_situation_since]", IMPRISONED.isoformat())
    page.select_option("select[name=mother_situation]", "out_of_contact")
    # The form refuses an absence of contact without the day the police accepted the report.
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=失联须填写公安机关受理报警之日")
    page.fill("input[name=father_situation_until]", IMPRISONED.replace(year=2030).isoformat())
    page.fill("input[name=mother_situation_since]", CONTACT_LOST.isoformat())
    page.check("input[name=chooses_orphan_support]")
    _shot(page, "02-child-record")
    page.click("button:has-text('保存')")
    page.wait_for_selector(".messages")
    assert "服刑在押" in page.inner_text(f"#father-{child.person_id}")
    assert "失联" in page.inner_text(f"#mother-{child.person_id}")

    # 3. Included for the child allowance: the application opens prefilled with the child.
    page.goto(f"{base}/discovery/alerts/{alert.pk}/")
    page.check("#step-conclude input[value=included]")
    page.select_option("#step-conclude select[name=program]", "child_welfare")
    page.fill("#step-conclude textarea[name=note]", "父亲服刑、母亲失联满6个月，属事实无人抚养儿童")
    page.click("#step-conclude button")
    page.wait_for_url(f"{base}/households/{household.pk}/apply/?*")
    assert page.input_value("select[name=applicant]") == str(child.person_id)
    for box in page.locator("input[name=materials]").all():
        box.check()
    _shot(page, "03-application")
    page.click("form.card button.primary")
    page.wait_for_url(f"{base}/applications/*/")
    application = Application.objects.get(household=household, program="child_welfare")
    assert application.number.startswith("GE2025-")
    assert Alert.objects.get(pk=alert.pk).application == application

    # 4. Verification decides 2,605 yuan a month for the child; the home visit.
    page.click("#step-verify button")
    page.wait_for_selector("text=已完成核对并评估")
    assessment = page.inner_text("#assessment")
    assert "符合" in assessment and "2,605.00" in assessment
    _shot(page, "04-verified")
    page.fill("input[name=staff_1]", "王经办")
    page.fill("input[name=staff_2]", "刘协理")
    page.fill(
        "textarea[name=findings]", "入户查看：祖母年迈，无力抚养；父亲服刑判决书、失联报警回执已收"
    )
    page.check("input[name=living_conditions_match][value=yes]")
    page.check("input[name=applicant_signed]")
    page.click("#step-home_visit button")
    page.wait_for_selector("text=已记录入户调查")

    # 5. The township head approves: straight to the district, no public notice.
    login(page, base, "head")
    page.goto(f"{base}/applications/{application.pk}/")
    page.check("input[name=opinion][value=approve]")
    page.fill("textarea[name=note]", "父亲服刑、母亲失联，符合事实无人抚养儿童条件")
    page.click("#step-opinion button")
    page.wait_for_selector("text=已提出审核意见")
    assert "区级审核确认" in page.inner_text("#stage")
    assert Application.objects.get(pk=application.pk).notice_starts_on is None
    _shot(page, "05-to-the-district")

    # 6. A district officer proposes, a second confirms; the first month is January.
    set_today(settings, dt.date(2025, 12, 23))
    login(page, base, "officer")
    page.goto(f"{base}/applications/{application.pk}/")
    assert page.input_value("input[name=monthly_amount]").replace(",", "") == "2605.00"
    page.check("input[name=outcome][value=approve]")
    page.click("#step-propose button")
    page.wait_for_selector("text=待另一人确认")
    login(page, base, "officer2")
    page.goto(f"{base}/applications/{application.pk}/")
    page.click("#step-confirm button")
    page.wait_for_selector("#decision")
    assert page.inner_text("#first-month") == next_month(dt.date(2025, 12, 23)) == "2026-01"
    entitlement = Entitlement.objects.get(application=application)
    assert entitlement.person_id == child.person_id
    assert Application.objects.get(pk=application.pk).stage == Stage.APPROVED
    _shot(page, "06-decided")

    # 7. The guardian's bank account, entered and checked by another person.
    login(page, base, "caseworker")
    page.goto(f"{base}/payments/households/{household.pk}/accounts/")
    page.fill("#step-record input[name=bank_name]", "天津农商银行宝坻支行")
    page.fill("#step-record input[name=account_number]", ACCOUNT)
    page.fill("#step-record input[name=holder_name]", "王桂芝")
    page.fill("#step-record input[name=holder_id]", full_id(GRANDMOTHER))
    page.click("#step-record button")
    page.wait_for_selector("text=待另一人复核后生效")
    account_url = page.url
    login(page, base, "head")
    page.goto(account_url)
    page.check("#step-check input[name=confirmed]")
    page.click("#step-check button")
    page.wait_for_selector("#account-status >> text=有效")

    # 8. January's payroll of the allowance: drafted, checked, approved; in the bank file.
    set_today(settings, dt.date(2026, 1, 5))
    login(page, base, "officer")
    page.goto(f"{base}/payments/")
    page.fill("#draft-form input[name=month]", "2026-01")
    page.select_option("#draft-form select[name=program]", "child_welfare")
    page.click("#draft-form button")
    page.wait_for_selector("text=发放名册")
    run = PayrollRun.objects.get(month="2026-01", program="child_welfare")
    login(page, base, "officer2")
    page.goto(f"{base}/payments/runs/{run.pk}/")
    page.click("#step-check button")
    page.wait_for_selector("#run-status >> text=已复核")
    login(page, base, "director")
    page.goto(f"{base}/payments/runs/{run.pk}/")
    page.click("#step-approve button")
    page.wait_for_selector("#run-status >> text=已审批")
    login(page, base, "officer")
    page.goto(f"{base}/payments/runs/{run.pk}/")
    page.click("#step-export button")
    page.wait_for_selector("#files a")
    _shot(page, "07-first-allowance")
    bank_file = BankFile.objects.get(run=run)
    content = bytes(bank_file.content).decode(bank_file.encoding or "utf-8")
    line = next(row for row in content.splitlines() if ACCOUNT.replace(" ", "") in row)
    assert "王桂芝" in line and "2605" in line.replace(",", "")
