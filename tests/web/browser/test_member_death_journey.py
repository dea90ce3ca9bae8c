"""A member of a household receiving dibao dies: the caseworker records the death on the
household page, the workbench shows the death check, the task page previews the reassessment
without the deceased, and completing it gives the entitlement a new version with the changed
amount from next month; the task page then opens the family's funeral claim with the decedent's
date of death and status filled in. Screenshots under ``test-artifacts/screenshots/death-*``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from jiuzhu.web.accounts.models import Role
from jiuzhu.web.cases.workflow import next_month
from jiuzhu.web.entitlements.actions.reassessment import reassess
from jiuzhu.web.entitlements.models import Entitlement, ReviewTask, TaskKind, VersionBasis
from jiuzhu.web.registry.models import Household
from tests.web.browser.support import login, needs_chromium, shot
from tests.web.conftest import ON, make_user
from tests.web.entitlements.conftest import dibao_households, make_entitlement

pytestmark = needs_chromium


def _household_of_several(township: str) -> Household:
    """A dibao-eligible household of three or more members (one of them not the applicant)."""

    found = dibao_households(township).filter(pl.col("unit_members") >= 3)
    assert found.height, f"no dibao household of 3+ members in {township}"
    return Household.objects.get(pk=found["household_id"][0])


@pytest.mark.django_db(transaction=True)
def test_a_death_opens_the_check_and_changes_the_amount(
    committed_district: None, live_server: Any, browser_page: Any
) -> None:
    township = Household.objects.order_by("township_code").values_list("township_code", flat=True)[
        0
    ]
    household = _household_of_several(township)
    entitlement = make_entitlement(household, amount=0, start_month="2025-06")
    # The version in force is what the rules give the household today, as a decision would.
    version = entitlement.versions.get()
    version.monthly_amount = reassess(entitlement, ON).amount
    version.save()
    before = version.monthly_amount
    make_user("caseworker", Role.TOWNSHIP_CASEWORKER, township)
    member = household.memberships.filter(valid_to__isnull=True).exclude(relation="01").first()
    page, base = browser_page, live_server.url

    # 1. The caseworker records the death on the household page.
    login(page, base, "caseworker")
    page.goto(f"{base}/registry/households/{household.pk}/")
    row = page.locator("#members tr", has_text=member.person.name)
    row.locator("a:has-text('死亡')").click()
    page.fill("input[name=died_on]", (ON - dt.timedelta(days=3)).isoformat())
    shot(page, "death-01-form")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已登记死亡")
    assert member.person.name in (page.locator("#former-members").text_content() or "")
    shot(page, "death-02-household")

    # 2. The workbench lists the death check; its page previews the reassessment.
    page.goto(f"{base}/")
    page.click("a:has-text('成员死亡后家庭状况核查')")
    task = ReviewTask.objects.get(entitlement=entitlement, kind=TaskKind.DEATH_CHECK)
    page.wait_for_url(f"{base}/entitlements/tasks/{task.pk}/")
    preview = page.inner_text("#preview")
    after = reassess(entitlement, ON, exclude_persons=(member.person_id,)).amount
    assert after is not None and after != before
    assert f"{after / 100:,.2f}" in preview
    shot(page, "death-03-task")

    # 3. Completing the check makes a new version from next month.
    page.click("button:has-text('按重算结果完成核查')")
    page.wait_for_selector("text=核查已完成")
    latest = Entitlement.objects.get(pk=entitlement.pk).versions.order_by("-number").first()
    assert latest.monthly_amount == after and latest.basis == VersionBasis.REVIEW
    assert latest.valid_from == next_month(ON)
    assert f"{after / 100:,.2f}" in page.inner_text("#versions")
    shot(page, "death-04-new-version")

    # 4. The family's funeral claim opens from the check, the decedent's facts filled in.
    page.goto(f"{base}/entitlements/tasks/{task.pk}/")
    page.click("#funeral-claim a")
    page.wait_for_selector("#from-death")
    assert page.input_value("select[name=program]") == "funeral"
    assert page.is_visible("#inputs-funeral") and not page.is_visible("#inputs-heating")
    assert (
        page.input_value("input[name=decedent_died_on]") == (ON - dt.timedelta(days=3)).isoformat()
    )
    assert page.input_value("select[name=decedent_status]") == "dibao"
    page.fill("input[name=decedent_cremated_on]", (ON - dt.timedelta(days=1)).isoformat())
    page.check("input[name=decedent_eco_burial]")
    page.check("input[name=register_incomplete]")
    shot(page, "death-05-funeral-claim")
    page.click("button:has-text('登记申请')")
    page.wait_for_selector("text=逝者火化日期")
    claim = household.applications.get(program="funeral")
    assert claim.number.startswith("SZ") and claim.program_inputs["decedent_eco_burial"] is True
    assert "death_certificate" in claim.missing_materials
    shot(page, "death-06-funeral-application")
