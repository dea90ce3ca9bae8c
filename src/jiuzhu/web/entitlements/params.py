"""The numbers of dynamic management (动态管理), each with its legal source and confidence.

They are procedural quantities of the entitlement's life (review cycles, notice periods, the
gradual-exit period), not inputs of the eligibility rules, so they live here rather than in the
rules engine's YAML. Each is effective-dated like a rules parameter: ``DatedRule.at(day)`` gives
the value in force on a day, and a day before the first value means the rule was not in force.
Confidence follows the addendum's decision 1 (``high``, ``medium``, ``low``); pages that rely on a
low-confidence value say so.

Sources (copied from the project's policy specification, spec.md and spec-addendum.md):

- N4: 《最低生活保障审核确认办法》 (民政部, in force 2021-07-01; text read, addendum Q15).
- N5: 《特困人员认定办法》 (民政部, in force 2021-07-01; text read, addendum Q15).
- N1: 《社会救助暂行办法》 (国务院令第649号, revised 第709号).
- 2022 notice: 民政部等《关于进一步做好最低生活保障等社会救助兜底工作的通知》, 2022-10-20
  (document number recalled as 民发〔2022〕83号, unverified; text read, addendum Q4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiuzhu.web.entitlements.models import ReviewClass


@dataclass(frozen=True)
class DatedValue:
    """One value of a rule from ``start`` (inclusive) until the next value's start."""

    start: dt.date
    value: int
    reference: str
    confidence: str
    note: str = ""


@dataclass(frozen=True)
class DatedRule:
    """A procedural number with its dated values (ascending by start)."""

    name: str
    label: str
    unit: str
    values: tuple[DatedValue, ...]

    def at(self, day: dt.date) -> DatedValue | None:
        """The value in force on ``day``; None before the first value (the rule did not apply)."""
        found = None
        for value in self.values:
            if value.start <= day:
                found = value
        return found


N4 = "最低生活保障审核确认办法（民政部，2021-07-01施行）"
N5 = "特困人员认定办法（民政部，2021-07-01施行）"
NOTICE_2022 = (
    "民政部等《关于进一步做好最低生活保障等社会救助兜底工作的通知》（2022-10-20，"
    "文号记为民发〔2022〕83号，未核实）"
)

REVIEW_MONTHS: dict[str, DatedRule] = {
    ReviewClass.STABLE: DatedRule(
        "review_months_stable",
        "短期内经济状况变化不大的家庭核查周期",
        "months",
        (
            DatedValue(
                dt.date(2021, 7, 1),
                12,
                N4 + " 第三十一条：“对短期内经济状况变化不大的……每年核查一次”",
                "high",
            ),
        ),
    ),
    ReviewClass.UNSTABLE: DatedRule(
        "review_months_unstable",
        "收入来源不固定、成员有劳动能力的家庭核查周期",
        "months",
        (
            DatedValue(
                dt.date(2021, 7, 1),
                6,
                N4 + " 第三十一条：“对收入来源不固定、家庭成员有劳动能力的……每半年核查一次”",
                "high",
            ),
        ),
    ),
}
"""Art. 31: the periodic review (定期核查) cycle by review class, in months."""

GRADUAL_EXIT_MONTHS = DatedRule(
    "gradual_exit_months",
    "低保渐退期",
    "months",
    (
        DatedValue(
            dt.date(2024, 1, 1),
            6,
            N4
            + " 第三十三条（可以给予一定时间的渐退期）; "
            + NOTICE_2022
            + "：“原则上不超过6个月”; 天津2024年社会救助工作要点列明“实施低保渐退”（中国社会报报道）",
            "low",
            note="天津的渐退月数未找到：按国家通知的上限6个月，自2024-01-01起（天津2024年起实施渐退）",
        ),
    ),
)
"""Art. 33 and the 2022 notice: a dibao household whose per-capita income rises above the
standard after a member finds work keeps its benefit this many months (the months after the
decision), then it ends. Tianjin's own number was not found: 6 (the national cap) from
2024-01-01, confidence low (addendum Q4, decision 7). Before 2024 there is no gradual exit."""

DEATH_CHECK_MONTHS = DatedRule(
    "death_check_months",
    "成员死亡后家庭状况核查期限",
    "months",
    (
        DatedValue(
            dt.date(2022, 10, 20),
            3,
            NOTICE_2022 + "：“低保家庭成员死亡后，应当自其死亡之日起3个月内对其家庭状况进行核查”",
            "high",
        ),
    ),
)
"""After a member's death the household is checked within 3 months of the death (calendar
months from the date of death, 2022 notice). Before the notice the same check is kept (the
rule applies to checks opened now)."""

TEKUN_TERMINATION_NOTICE_DAYS = DatedRule(
    "tekun_termination_notice_days",
    "特困人员终止供养公示期",
    "days",
    (
        DatedValue(
            dt.date(2021, 7, 1),
            7,
            N5 + " 第二十六条：终止救助供养前在村（社区）公示7天，无异议的从下月起终止",
            "high",
        ),
    ),
)
"""Art. 26: a proposed tekun termination is published for 7 calendar days; without a sustained
objection support stops from the month after."""

TERMINATION_OBJECTION_WORKING_DAYS = DatedRule(
    "termination_objection_working_days",
    "终止公示异议核查期限",
    "working_days",
    (
        DatedValue(
            dt.date(2021, 7, 1),
            15,
            N5 + " 第二十六条：对公示有异议的，应当重新调查核实，在15个工作日内作出决定",
            "medium",
            note="条文原文未逐字核对",
        ),
    ),
)
"""An objection to a tekun termination is investigated and decided within 15 working days
(counted with the holiday calendar)."""

EMPLOYMENT_REFUSALS = DatedRule(
    "employment_refusals",
    "无正当理由连续拒绝介绍工作的次数",
    "times",
    (
        DatedValue(
            dt.date(2014, 5, 1),
            3,
            "社会救助暂行办法 第四十五条; "
            + N4
            + " 第三十四条：“连续3次拒绝接受介绍的……工作的……减发或者停发其本人的最低生活保障金”",
            "high",
        ),
    ),
)
"""N1 Art. 45, N4 Art. 34: refusing 3 consecutive suitable job offers without good reason reduces
or stops the member's own share (case C28)."""

TEKUN_AGE_LOOKAHEAD_DAYS = 60
"""How far ahead the tekun age check (N5 Art. 24) looks for minors reaching the age limit: long
enough for the 7-day notice and an objection's 15 working days to finish before the birthday. A
working choice, not a rule. The age limit itself (18 in Tianjin) and the school levels that
continue support are the rules engine's ``tekun.minor_age_limit`` and
``tekun.continuation_student_levels``."""

CHANGE_CHECK_DAYS = 30
"""A registry change to a household with an entitlement in force (a member's facts, a move, the
household's housing or spending) opens a check due this many days later. No text sets a time
limit for checking a change the household reported (最低生活保障审核确认办法 Art. 30 sets the
household's duty to report): a working choice, shown as such on the task."""

REVIEW_LEAD_DAYS = 30
"""A periodic review task is opened this many days before its due date (a working choice: a
month's notice for a task measured in months)."""

DUE_SOON_DAYS = 14
"""The task queue marks a task due within this many days as due soon."""

LABELS = {
    "high": _("高"),
    "medium": _("中"),
    "low": _("低（依据不足，待核实）"),
}
"""How a confidence is shown."""
