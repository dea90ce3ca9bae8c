"""Each signal with a positive and a negative case, and the boundaries at its thresholds."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from tests.batch.discover.world import MONTH, World, keys, rid

D = dt.date
ADULT, CHILD, ELDER = D(1980, 3, 1), D(2015, 6, 1), D(1945, 1, 1)


# --- discovery ----------------------------------------------------------------------------------


def test_high_out_of_pocket_uses_the_monitored_and_the_other_threshold() -> None:
    w = World()
    poor = w.household(1)
    w.person(poor, 1, ADULT)
    w.person(poor, 2, ADULT, "10")
    w.enrol(poor, "monitored", receiving=False)
    other = w.household(2)
    w.person(other, 3, ADULT)
    w.person(other, 4, ADULT, "10")
    w.stay(rid(1), D(2025, 10, 3), 600_001)  # monitored: above 6,000 yuan
    w.stay(rid(2), D(2025, 10, 3), 600_000)  # monitored: exactly 6,000, not above
    w.stay(rid(3), D(2025, 10, 9), 1_000_001)  # other: above 10,000
    w.stay(rid(4), D(2025, 10, 9), 999_999)  # other: below 10,000
    w.stay(rid(4), D(2025, 9, 30), 5_000_000)  # before the month
    w.stay(rid(4), D(2025, 10, 2), 5_000_000, visit_type="outpatient")  # not a stay
    alerts = w.run("MED_HIGH_OOP")
    assert keys(alerts) == [
        f"MED_HIGH_OOP:{rid(1)}:2025-10-03/600001",
        f"MED_HIGH_OOP:{rid(3)}:2025-10-09/1000001",
    ]
    first = alerts.filter(pl.col("resident_id") == rid(1)).row(0, named=True)
    assert first["explanation_zh"] == "2025-10-03住院结算个人负担6000.01元，超过监测对象阈值6000元"
    evidence = json.loads(first["evidence"])
    assert evidence["record"]["out_of_pocket"] == 600_001
    assert evidence["record"]["threshold"] == 600_000 and evidence["record"]["monitored"] is True
    assert {t["parameter"] for t in evidence["thresholds"]} == {
        "discover.MED_HIGH_OOP.monitored_threshold",
        "discover.MED_HIGH_OOP.other_threshold",
    }
    assert all(t["reference"] and t["confidence"] == "low" for t in evidence["thresholds"])


def test_a_new_serious_illness_or_special_outpatient_disease_is_compared_with_the_registry() -> (
    None
):
    w = World()
    home = w.household(1)
    w.person(home, 1, ADULT)  # registry: no illness
    w.person(home, 2, ADULT, "10", serious_illness="uremia")
    w.person(home, 3, CHILD, "20")
    w.person(home, 4, ELDER, "51", special_outpatient_disease=True)
    w.stay(rid(1), D(2025, 10, 4), 100, diagnosis="malignant_tumour")
    w.stay(rid(1), D(2025, 10, 20), 100, diagnosis="malignant_tumour")  # same illness again
    w.stay(rid(2), D(2025, 10, 4), 100, diagnosis="uremia")  # already known
    w.stay(rid(3), D(2025, 10, 5), 100, visit_type="special_outpatient")
    w.stay(rid(4), D(2025, 10, 5), 100, visit_type="special_outpatient")  # already known
    alerts = w.run("SERIOUS_ILLNESS_NEW")
    assert keys(alerts) == [
        f"SERIOUS_ILLNESS_NEW:{rid(1)}:malignant_tumour",
        f"SERIOUS_ILLNESS_NEW:{rid(3)}:special_outpatient",
    ]
    assert "恶性肿瘤" in alerts.filter(pl.col("resident_id") == rid(1))["explanation_zh"][0]


OCTOBER_8 = D(2025, 10, 8)


def _certificate(w: World, number: int, category: str, grade: int, on: D = OCTOBER_8) -> None:
    digit = {"physical": "4", "mental": "6", "visual": "1"}[category]
    w.record(
        "disability",
        resident_id=rid(number),
        certificate=f"{rid(number)}{digit}{grade}",
        category=category,
        grade=str(grade),
        issued_on=on,
    )


def test_a_new_or_upgraded_severe_disability_certificate() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, ADULT)
    w.person(home, 2, ADULT, "10")
    w.person(home, 3, CHILD, "20")
    w.person(home, 4, ELDER, "51", disability_category="physical", disability_grade=3)
    w.person(home, 5, ELDER, "52", disability_category="visual", disability_grade=2)
    _certificate(w, 1, "physical", 2)  # new, grade 2: severe
    _certificate(w, 2, "physical", 3)  # new, grade 3 physical: not severe
    _certificate(w, 3, "mental", 3)  # new, grade 3 mental: severe
    _certificate(w, 4, "physical", 1)  # upgraded from 3 to 1
    _certificate(w, 5, "visual", 2)  # reissued at the same grade
    _certificate(w, 1, "physical", 1, D(2025, 9, 30))  # before the month
    alerts = w.run("DISABILITY_NEW")
    assert keys(alerts) == [
        f"DISABILITY_NEW:{rid(1)}42:2025-10-08",
        f"DISABILITY_NEW:{rid(3)}63:2025-10-08",
        f"DISABILITY_NEW:{rid(4)}41:2025-10-08",
    ]
    upgraded = alerts.filter(pl.col("resident_id") == rid(4))["explanation_zh"][0]
    assert upgraded == "2025-10-08发证：肢体残疾1级（登记库：肢体残疾3级）"


def test_several_disabled_or_elderly_and_disabled_from_this_month() -> None:
    w = World()
    two = w.household(1)  # a second disabled member this month
    w.person(two, 1, ADULT, disability_category="physical", disability_grade=4)
    w.person(two, 2, ADULT, "10")
    _certificate(w, 2, "physical", 4)
    turning = w.household(2)  # a disabled member, and the other turns 60 this month
    w.person(turning, 3, D(1965, 10, 20))
    w.person(turning, 4, ADULT, "10", disability_category="visual", disability_grade=3)
    alone = w.household(3)  # only one member, newly disabled: neither pattern
    w.person(alone, 5, ADULT)
    _certificate(w, 5, "physical", 2)
    before = w.household(4)  # already two disabled before the month
    w.person(before, 6, ADULT, disability_category="physical", disability_grade=4)
    w.person(before, 7, ADULT, "10", disability_category="physical", disability_grade=4)
    _certificate(w, 7, "physical", 3)
    receiving = w.household(5)  # already assisted
    w.person(receiving, 8, ADULT, disability_category="physical", disability_grade=4)
    w.person(receiving, 9, ADULT, "10")
    _certificate(w, 9, "physical", 4)
    w.enrol(receiving)
    alerts = w.run("MULTI_DISABLED_HOUSEHOLD")
    assert keys(alerts) == [
        f"MULTI_DISABLED_HOUSEHOLD:H1:{MONTH}",
        f"MULTI_DISABLED_HOUSEHOLD:H2:{MONTH}",
    ]
    explained = dict(zip(alerts["household_id"], alerts["explanation_zh"], strict=True))
    assert explained["H1"].endswith("（一户多残）") and explained["H2"].endswith("（老残一体）")
    assert alerts["resident_id"].null_count() == 2


# --- needs --------------------------------------------------------------------------------------


def test_unemployment_registration_in_a_register_household() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, ADULT)
    w.enrol(home, "near_dibao")
    other = w.household(2)
    w.person(other, 2, ADULT)
    for number, on, status in (
        (1, D(2025, 10, 9), "registered"),
        (1, D(2025, 8, 9), "registered"),  # an earlier registration
        (2, D(2025, 10, 9), "registered"),  # not in the register
    ):
        w.record("unemployment", resident_id=rid(number), registered_on=on, status=status)
    w.record("unemployment", resident_id=rid(1), registered_on=D(2025, 10, 1), status="employed")
    assert keys(w.run("UNEMPLOYMENT_REGISTERED")) == [
        f"UNEMPLOYMENT_REGISTERED:{rid(1)}:2025-10-09"
    ]


def test_contributions_paid_last_month_and_not_in_the_latest() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, ADULT)
    w.person(home, 2, ADULT, "10")
    w.enrol(home, "monitored", receiving=False)
    scheme = "employee_pension_insurance"
    for number, period, paid in (
        (1, "2025-08", 32_000),
        (2, "2025-08", 32_000),
        (2, "2025-09", 32_000),  # still paying
        (1, "2025-11", 32_000),  # after the month: ignored
    ):
        w.record(
            "social_insurance",
            resident_id=rid(number),
            scheme=scheme,
            period=period,
            contribution=paid,
        )
    alerts = w.run("CONTRIBUTIONS_STOPPED")
    assert keys(alerts) == [f"CONTRIBUTIONS_STOPPED:{rid(1)}:2025-09"]
    assert alerts["explanation_zh"][0] == (
        "2025-08缴纳城镇职工基本养老保险320元，2025-09起无缴费记录"
    )


def test_a_child_whose_parent_died_or_was_taken_into_custody() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, ADULT)  # dies
    w.person(home, 2, ADULT, "10")
    w.person(home, 3, CHILD, "20")
    w.person(home, 4, D(2007, 1, 1), "30")  # 18: not a child
    w.person(home, 5, D(2020, 1, 1), "41")  # grandchild of the one who died: not his child
    w.record("deaths", resident_id=rid(1), died_on=D(2025, 10, 2))
    other = w.household(2)
    w.person(other, 6, D(1950, 1, 1))
    w.person(other, 7, ADULT, "20")  # taken into custody
    w.person(other, 8, CHILD, "41")  # his child
    w.record(
        "custody",
        resident_id=rid(7),
        kind="prison",
        institution="天津市监狱",
        started_on=D(2025, 10, 12),
        expected_release=D(2027, 10, 11),
        released_on=None,
    )
    alerts = w.run("CHILD_LOST_PARENT")
    assert keys(alerts) == [
        f"CHILD_LOST_PARENT:{rid(3)}:{rid(1)}",
        f"CHILD_LOST_PARENT:{rid(8)}:{rid(7)}",
    ]
    assert alerts["severity"].cast(pl.String).to_list() == ["high", "high"]


# --- dynamic management -------------------------------------------------------------------------


def test_death_and_custody_of_a_recipient_are_adverse_verification_tasks() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, ELDER)
    w.person(home, 2, ADULT, "20")
    w.enrol(home, "dibao", monthly_amount=104_500)
    watched = w.household(2)
    w.person(watched, 3, ELDER)
    w.person(watched, 4, ADULT, "20")
    w.enrol(watched, "monitored", receiving=False)
    w.record("deaths", resident_id=rid(1), died_on=D(2025, 10, 5))
    w.record("deaths", resident_id=rid(3), died_on=D(2025, 10, 5))  # not receiving
    for number in (2, 4):
        w.record(
            "custody",
            resident_id=rid(number),
            kind="compulsory_drug_rehabilitation",
            institution="天津市强制隔离戒毒所",
            started_on=D(2025, 10, 20),
            expected_release=None,
            released_on=None,
        )
    alerts = w.run("MEMBER_DIED", "MEMBER_IN_CUSTODY")
    assert keys(alerts) == [
        f"MEMBER_DIED:{rid(1)}:2025-10-05",
        f"MEMBER_IN_CUSTODY:{rid(2)}:2025-10-20",
    ]
    assert alerts["adverse"].all()
    assert all("不直接停发" in text for text in alerts["explanation_zh"])
    assert all("never a cut" in text for text in alerts["explanation_en"])


def test_a_recipient_turning_16_18_or_60_in_the_month() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, D(1965, 10, 31))  # 60 on the month's last day
    w.person(home, 2, D(2007, 10, 1), "20")  # 18 on its first
    w.person(home, 3, D(2009, 10, 15), "30")  # 16
    w.person(home, 4, D(2008, 10, 5), "20")  # 17: no milestone
    w.person(home, 5, D(2007, 11, 1), "20")  # 18 next month
    w.enrol(home)
    outside = w.household(2)
    w.person(outside, 6, D(1965, 10, 2))  # not receiving
    alerts = w.run("AGE_MILESTONE")
    assert keys(alerts) == [
        f"AGE_MILESTONE:{rid(1)}:60",
        f"AGE_MILESTONE:{rid(2)}:18",
        f"AGE_MILESTONE:{rid(3)}:16",
    ]
    assert alerts.filter(pl.col("resident_id") == rid(1))["explanation_zh"][0].startswith(
        "2025-10-31年满60周岁"
    )


def test_a_recipient_born_on_29_february_comes_of_age_once_a_year() -> None:
    """Issue 10: discovery crashed in February of a common year when a recipient born on
    29 February came of age. The anniversary is 28 February (民法典 第二百零二条, the rules'
    ``household.leap_day_birthday``): the alert is February's, March raises none, and in a
    leap year the birthday is 29 February itself."""
    w = World()
    home = w.household(1)
    w.person(home, 1, D(2008, 2, 29), "20")  # 18 in 2026, a common year
    w.person(home, 2, D(1966, 2, 28))  # 60 on 2026-02-28, the ordinary case beside it
    w.person(home, 3, D(2012, 2, 29), "30")  # 16 in 2028, a leap year
    w.enrol(home)
    february = w.run("AGE_MILESTONE", month="2026-02")
    assert keys(february) == [f"AGE_MILESTONE:{rid(1)}:18", f"AGE_MILESTONE:{rid(2)}:60"]
    assert february.filter(pl.col("resident_id") == rid(1))["explanation_zh"][0].startswith(
        "2026-02-28年满18周岁"
    )
    assert w.run("AGE_MILESTONE", month="2026-03").is_empty()
    leap = w.run("AGE_MILESTONE", month="2028-02")
    assert leap["explanation_zh"].to_list()[0].startswith("2028-02-29年满16周岁")
    # A household where a member born on 29 February turns 60 beside a disabled member.
    v = World()
    turning = v.household(2)
    v.person(turning, 4, D(1968, 2, 29))
    v.person(turning, 5, ADULT, "10", disability_category="visual", disability_grade=3)
    assert keys(v.run("MULTI_DISABLED_HOUSEHOLD", month="2028-02")) == [
        "MULTI_DISABLED_HOUSEHOLD:H2:2028-02"
    ]
    assert v.run("MULTI_DISABLED_HOUSEHOLD", month="2027-02").is_empty()  # 59 then


def test_rigid_expenditure_expiring_within_the_lead_and_review_due_in_the_month() -> None:
    w = World()
    for number, until in ((1, D(2025, 11, 30)), (2, D(2025, 12, 1)), (3, D(2025, 9, 30))):
        home = w.household(number)
        w.person(home, number, ADULT)
        w.enrol(home, "rigid_expenditure", rigid_valid_until=until)
    for number, due, receiving in (
        (4, D(2025, 10, 1), True),
        (5, D(2025, 11, 1), True),
        (6, D(2025, 10, 9), False),
    ):
        home = w.household(number)
        w.person(home, number, ADULT)
        w.enrol(home, "dibao", receiving=receiving, review_due=due)
    alerts = w.run("RIGID_EXPIRING", "REVIEW_DUE")
    assert keys(alerts) == ["REVIEW_DUE:H4:2025-10-01", "RIGID_EXPIRING:H1:2025-11-30"]


def test_a_recipient_registering_a_vehicle_property_or_business() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, ADULT)
    w.person(home, 2, ADULT, "10")
    w.enrol(home)
    watched = w.household(2)
    w.person(watched, 3, ADULT)
    w.enrol(watched, "monitored", receiving=False)
    october = D(2025, 10, 10)
    for number, plate, use, on in (
        (1, "津A12345", "private", october),
        (2, "津A54321", "disability", october),  # a disability vehicle is exempt
        (1, "津B11111", "private", D(2025, 9, 10)),  # before the month
        (3, "津C22222", "private", october),  # not receiving
    ):
        w.record(
            "vehicles",
            resident_id=rid(number),
            plate=plate,
            vehicle_type="car",
            use=use,
            first_registered=on,
            deregistered=None,
        )
    w.record(
        "real_estate",
        resident_id=rid(2),
        certificate="津（2025）宝坻区不动产权第0000001号",
        use="residential",
        floor_area=8_550,
        registered_on=october,
    )
    for code, status in (("92120115MA0000001X", "active"), ("92120115MA0000002X", "closed")):
        w.record(
            "market_entities",
            resident_id=rid(1),
            credit_code=code,
            entity_name="宝坻区便民店",
            established_on=october,
            status=status,
        )
    alerts = w.run("ASSET_REGISTERED")
    assert keys(alerts) == [
        f"ASSET_REGISTERED:{rid(1)}:business/92120115MA0000001X",
        f"ASSET_REGISTERED:{rid(1)}:vehicle/津A12345",
        f"ASSET_REGISTERED:{rid(2)}:property/津（2025）宝坻区不动产权第0000001号",
    ]
    assert alerts["adverse"].all()
    vehicle = alerts.filter(pl.col("alert_key").str.contains("vehicle"))["explanation_zh"][0]
    assert (
        vehicle
        == "2025-10-10登记机动车（津A12345 小型轿车），需核查家庭财产（核查任务，不直接停发）"
    )


# --- policy delivery: the rules engine ----------------------------------------------------------


def test_a_monitored_household_the_engine_finds_eligible_is_unclaimed() -> None:
    w = World()
    poor = w.household(1)  # no income: eligible for dibao (2 × 1,045 yuan)
    w.person(poor, 1, ADULT)
    w.person(poor, 2, ADULT, "10")
    w.enrol(poor, "monitored", receiving=False)
    earning = w.household(2)  # wages far above the standard
    w.person(earning, 3, ADULT, wage_income=900_000)
    w.enrol(earning, "monitored", receiving=False)
    receiving = w.household(3)
    w.person(receiving, 4, ADULT)
    w.enrol(receiving, "dibao", monthly_amount=104_500)
    alerts = w.run("UNCLAIMED_ASSISTANCE")
    assert keys(alerts) == ["UNCLAIMED_ASSISTANCE:H1:dibao"]
    assert alerts["explanation_zh"][0] == (
        "监测对象（近一年退出保障）按规则引擎测算符合低保条件（测算2090元/月），但未纳入"
    )
    assert json.loads(alerts["evidence"][0])["record"]["engine_amount"] == 209_000


def test_a_dibao_household_paid_less_than_the_engine_amount() -> None:
    w = World()
    for number, paid in ((1, 100_000), (2, 209_000), (3, 208_900), (4, 208_899)):
        home = w.household(number)
        w.person(home, number * 10, ADULT)
        w.person(home, number * 10 + 1, ADULT, "10")
        w.enrol(home, "dibao", monthly_amount=paid)
    alerts = w.run("UNDERPAID_DEDUCTIONS")
    # The tolerance is 1 yuan: a gap of exactly 1 yuan is not signalled.
    assert keys(alerts) == ["UNDERPAID_DEDUCTIONS:H1:209000", "UNDERPAID_DEDUCTIONS:H4:209000"]
    assert alerts["explanation_zh"][0] == (
        "实发1000元/月，规则引擎测算（含分类扣减）应为2090元/月，相差1090元"
    )


def test_disability_living_and_care_allowances_due_and_not_received() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, ADULT, disability_category="physical", disability_grade=2)
    w.person(home, 2, ADULT, "10", disability_category="physical", disability_grade=4)
    w.person(home, 3, CHILD, "20", disability_category="visual", disability_grade=1)
    w.enrol(home, "dibao", monthly_amount=313_500)
    paid = w.household(2)  # already receives both
    w.person(paid, 4, ADULT, disability_category="physical", disability_grade=1)
    w.enrol(paid, "dibao", monthly_amount=104_500, living=True, care=True)
    alerts = w.run("DISABILITY_LIVING_MISSING", "DISABILITY_CARE_MISSING")
    assert keys(alerts) == [
        f"DISABILITY_CARE_MISSING:{rid(1)}:care",
        f"DISABILITY_CARE_MISSING:{rid(3)}:care",
        f"DISABILITY_LIVING_MISSING:{rid(1)}:living",
        f"DISABILITY_LIVING_MISSING:{rid(2)}:living",
        f"DISABILITY_LIVING_MISSING:{rid(3)}:living",
    ]
    living = alerts.filter(pl.col("signal") == "DISABILITY_LIVING_MISSING")
    amounts = [json.loads(e)["record"]["allowance"] for e in living["evidence"]]
    assert amounts == [30_000, 16_000, 30_000]  # severe 300, other 160 yuan (decision 10)


def test_an_unsupported_child_without_the_orphan_allowance_says_the_standard_is_unknown() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, ADULT)
    w.person(home, 2, ADULT, "10", serious_illness="uremia")
    w.person(home, 3, CHILD, "20")
    w.enrol(home, "dibao", monthly_amount=100_000)
    w.record(
        "custody",
        resident_id=rid(1),
        kind="prison",
        institution="天津市监狱",
        started_on=D(2025, 3, 1),
        expected_release=D(2029, 3, 1),
        released_on=None,
    )
    short = w.household(2)  # the father's term is under six months
    w.person(short, 4, ADULT)
    w.person(short, 5, ADULT, "10", serious_illness="uremia")
    w.person(short, 6, CHILD, "20")
    w.enrol(short, "dibao", monthly_amount=100_000)
    w.record(
        "custody",
        resident_id=rid(4),
        kind="detention",
        institution="宝坻区看守所",
        started_on=D(2025, 10, 1),
        expected_release=D(2026, 1, 1),
        released_on=None,
    )
    paid = w.household(3)  # receives the allowance
    w.person(paid, 7, ADULT, absence_reason="prison")
    w.person(paid, 8, ADULT, "10", absence_reason="declared_missing")
    w.person(paid, 9, CHILD, "20")
    w.enrol(paid, "dibao", monthly_amount=100_000, orphan=True)
    alerts = w.run("ORPHAN_ALLOWANCE_MISSING")
    assert keys(alerts) == [f"ORPHAN_ALLOWANCE_MISSING:{rid(3)}:orphan"]
    zh, en = (
        alerts.row(0, named=True)["explanation_zh"],
        alerts.row(0, named=True)["explanation_en"],
    )
    assert "标准：未知" in zh and "孤儿和事实无人抚养儿童基本生活保障标准”的数值未知" in zh
    assert "unknown parameter: Orphan and de facto unsupported child allowance" in en
    (threshold,) = json.loads(alerts["evidence"][0])["thresholds"]
    assert threshold["value"] is None and threshold["confidence"] == "unknown"
    # From 2026 the standard is known (2,605 yuan, low confidence): no unknown note.
    later = w.run("ORPHAN_ALLOWANCE_MISSING", month="2026-01")
    assert "标准：2605" in later["explanation_zh"][0] and "未知" not in later["explanation_zh"][0]


def test_a_change_in_a_parent_of_a_child_paid_the_orphan_allowance() -> None:
    w = World()
    home = w.household(1)  # the father released, the mother dies: the child's review
    w.person(home, 1, ADULT, absence_reason="prison")
    w.person(home, 2, ADULT, "10")
    w.person(home, 3, CHILD, "20")
    w.enrol(home, "monitored", receiving=False, orphan=True)
    w.record(
        "custody",
        resident_id=rid(1),
        kind="prison",
        institution="天津市监狱",
        started_on=D(2020, 3, 1),
        expected_release=D(2025, 10, 9),
        released_on=D(2025, 10, 9),
    )
    w.record("deaths", resident_id=rid(2), died_on=D(2025, 10, 21))
    unpaid = w.household(2)  # no allowance: nothing to review (the missing check's concern)
    w.person(unpaid, 4, ADULT)
    w.person(unpaid, 5, CHILD, "20")
    w.enrol(unpaid, "dibao", monthly_amount=100_000)
    w.record("deaths", resident_id=rid(4), died_on=D(2025, 10, 3))
    alerts = w.run("CHILD_WELFARE_PARENT_CHANGE")
    assert keys(alerts) == [
        f"CHILD_WELFARE_PARENT_CHANGE:{rid(3)}:died:2025-10-21",
        f"CHILD_WELFARE_PARENT_CHANGE:{rid(3)}:released:2025-10-09",
    ]
    assert alerts["adverse"].all()
    released = alerts.filter(pl.col("alert_key").str.contains(":released:"))
    assert "2025-10-09刑满释放" in released["explanation_zh"][0]
    assert "was released on 2025-10-09" in released["explanation_en"][0]
    # The parent's death is this review's, not the unpaid child's check.
    assert w.run("CHILD_LOST_PARENT").filter(pl.col("resident_id") == rid(3)).is_empty()
    # The child is paid: the missing-allowance check leaves them alone whatever their entries.
    assert w.run("ORPHAN_ALLOWANCE_MISSING").filter(pl.col("resident_id") == rid(3)).is_empty()


def test_a_child_the_engine_finds_in_hardship_without_the_allowance() -> None:
    w = World()
    poor = w.household(1)  # no income: dibao
    w.person(poor, 1, ADULT)
    w.person(poor, 2, CHILD, "20")
    w.person(poor, 3, D(2007, 10, 31), "21")  # 18 on the month's last day: an adult
    w.person(poor, 4, D(2007, 11, 1), "22")  # 18 the day after: still a minor
    w.enrol(poor, "dibao", monthly_amount=313_500)
    paid = w.household(2)  # already paid the allowance
    w.person(paid, 5, ADULT)
    w.person(paid, 6, CHILD, "20")
    w.enrol(paid, "dibao", monthly_amount=209_000, hardship=True)
    earning = w.household(3)  # wages far above the standard: only a disabled child is covered
    w.person(earning, 7, ADULT, wage_income=900_000)
    w.person(earning, 8, CHILD, "20", disability_category="hearing", disability_grade=3)
    w.person(earning, 9, CHILD, "21")
    w.enrol(earning, "monitored", receiving=False)
    orphan = w.household(4)  # the orphan allowance excludes this one
    w.person(orphan, 10, ADULT)
    w.person(orphan, 11, CHILD, "20")
    w.enrol(orphan, "dibao", monthly_amount=209_000, orphan=True)
    alerts = w.run("CHILDREN_IN_HARDSHIP_ALLOWANCE_MISSING")
    assert keys(alerts) == [
        f"CHILDREN_IN_HARDSHIP_ALLOWANCE_MISSING:{rid(n)}:children_in_hardship" for n in (2, 4, 8)
    ]
    poor_row = alerts.filter(pl.col("resident_id") == rid(2)).row(0, named=True)
    assert poor_row["explanation_zh"] == (
        "未满18周岁，因家庭贫困（低保、低保边缘家庭），按规则引擎测算应享困境儿童基本生活费"
        "200元/月，登记库无发放"
    )
    disabled = alerts.filter(pl.col("resident_id") == rid(8)).row(0, named=True)
    assert disabled["explanation_en"].startswith("Under 18, in hardship from own disability:")
    assert disabled["owner_level"] == "community" and disabled["household_id"] == "H3"
    record = json.loads(disabled["evidence"])["record"]
    assert record["program"] == "children_in_hardship" and record["engine_amount"] == 20_000
    assert record["register_category"] == "monitored"


def test_a_covered_persons_settlement_without_medical_aid() -> None:
    w = World()
    paid = w.household(1)
    w.person(paid, 1, ADULT)
    w.person(paid, 2, ADULT, "10")
    w.enrol(paid, "dibao", monthly_amount=100_000)
    watched = w.household(2)  # monitored, not receiving: not covered
    w.person(watched, 3, ADULT)
    w.enrol(watched, "monitored", receiving=False)
    w.stay(rid(1), D(2025, 10, 3), 250_000)  # aid missed
    w.stay(rid(2), D(2025, 10, 4), 80_000, visit_type="outpatient", assistance_paid=40_000)
    w.stay(rid(2), D(2025, 9, 20), 90_000)  # last month
    w.stay(rid(3), D(2025, 10, 5), 300_000)
    alerts = w.run("MEDICAL_AID_UNSETTLED")
    assert keys(alerts) == [f"MEDICAL_AID_UNSETTLED:{rid(1)}:2025-10-03/inpatient/250000"]
    row = alerts.row(0, named=True)
    assert row["explanation_zh"].startswith(
        "低保成员2025-10-03住院结算，政策范围内个人自付2500元，未获"
    )
    assert json.loads(row["evidence"])["record"]["out_of_pocket"] == 250_000


def test_every_signal_has_its_test_here() -> None:
    """A signal added without a case here fails (the catalogue lists every code)."""
    from pathlib import Path

    from jiuzhu.batch.pipelines.discover.catalogue import catalogue

    text = Path(__file__).read_text(encoding="utf-8")
    assert [code for code in catalogue() if f'"{code}"' not in text] == []
