"""What each document prints: one builder per kind, returning plain data (text and numbers, ready
for JSON) that its template renders and that an issued notice keeps as printed.

A document is part of the case file handed to a resident: its text is Chinese, the record's
language (``jiuzhu.web.audit.texts``), whatever the language of the page that prints it. The
builders run in the record's language, so labels of codes and choices come out in Chinese.
Money is shown in yuan (``format_yuan`` of integer fen); dates as 2025年10月15日; ID numbers
masked. Office values not set stay empty: the template prints 未设置 and the page warns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from jiuzhu.reference import division
from jiuzhu.rules import registry
from jiuzhu.rules.ages import adult_age
from jiuzhu.rules.enforcement import (
    HEARING_REQUEST_WORKING_DAYS,
    STATEMENT_WORKING_DAYS,
    hearing_right,
)
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.rules.procedure import rule
from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.audit.texts import in_record_language
from jiuzhu.web.cases.assessment import covered_count, program_result, unit_members
from jiuzhu.web.cases.materials import MATERIALS
from jiuzhu.web.cases.models import Application
from jiuzhu.web.cases.workflow import notice_days, overall_limit, years_needed
from jiuzhu.web.core.choices import label_of
from jiuzhu.web.core.masking import mask_id, mask_name
from jiuzhu.web.core.months import age_on
from jiuzhu.web.core.programs import Program, per_person
from jiuzhu.web.documents import legal
from jiuzhu.web.documents.models import DocumentKind, IssuedDocument, Office
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.payments.models import Recovery
from jiuzhu.web.registry.models import Asset, Income, Membership, Source
from jiuzhu.web.workcalendar.working_days import CalendarMissingError, load_calendar

OFFICE_FIELDS = ("name", "address", "phone", "review_body", "court")
FINDING_LINES = (
    "实际居住情况",
    "家庭成员健康及劳动能力",
    "收入来源核实",
    "财产及住房、车辆核实",
    "邻里走访情况",
    "其他需要说明的情况",
)
"""The rows the visitors fill in by hand on the home-visit form."""


def chinese_date(day: dt.date | None) -> str:
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"


def chinese_month(month: str) -> str:
    """``2025-11`` → ``2025年11月`` (blank for blank)."""
    if not month:
        return ""
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


DISTRICT_NAME = "宝坻区"
"""The district's own name (the division table lists its townships and communities)."""


def place_name(code: str) -> str:
    """The name of the district, or of a township or community of it (the code if unknown)."""
    if code == DISTRICT_CODE:
        return DISTRICT_NAME
    found = division(code)
    return found.name if found is not None else code


def office_values(code: str) -> dict[str, str]:
    """The office of ``code`` (a township's 9 digits, or the district): its values, empty where
    not set (or where no office is recorded at all)."""
    office = Office.objects.filter(division_code=code).first()
    return {field: (getattr(office, field) if office else "").strip() for field in OFFICE_FIELDS}


def deciding_office_code(division_code: str) -> str:
    """Who decides (and so issues the decision and termination notices): the township where
    confirmation is delegated to it (最低生活保障审核确认办法 Art. 2), else the district bureau."""
    if settings.JIUZHU.get("CONFIRMATION_DELEGATED_TO_TOWNSHIP"):
        return division_code[:9]
    return DISTRICT_CODE


def _header(kind: str, division_code: str, office_code: str, on: dt.date) -> dict[str, object]:
    township = division_code[:9]
    return {
        "kind": kind,
        "title": str(DocumentKind(kind).label),
        "number": "",
        "township": place_name(township),
        "community": place_name(division_code) if len(division_code) == 12 else "",
        "office": office_values(office_code),
        # Residents ask their township, whoever decided.
        "contact": office_values(township),
        "date": chinese_date(on),
    }


def _applicant(application: Application) -> dict[str, object]:
    return {
        "applicant": application.applicant.name,
        "household_number": application.household.number,
        "address": application.household.address,
        "program": Program.label(application.program),
        "application_number": application.number,
    }


@in_record_language
def missing_materials(application: Application, on: dt.date) -> dict[str, object]:
    """一次性告知书: everything the application still lacks, listed at once (Art. 10)."""
    township = application.division_code[:9]
    return {
        **_header(DocumentKind.MISSING_MATERIALS, application.division_code, township, on),
        **_applicant(application),
        "missing": [str(MATERIALS.get(code, code)) for code in application.missing_materials],
        "basis": legal.basis(application.program, "materials"),
    }


@in_record_language
def acceptance(application: Application, on: dt.date) -> dict[str, object]:
    """受理通知书: the date accepted and the time limit in working days (Art. 22), the due date
    where the holiday table covers it."""
    township = application.division_code[:9]
    limit = overall_limit(application)
    due = None
    if application.accepted_on is not None:
        try:
            calendar = load_calendar(years_needed(application))
            due = calendar.add_working_days(application.accepted_on, limit)
        except CalendarMissingError:
            due = None
    members = Membership.objects.filter(
        household_id=application.household_id, valid_to__isnull=True
    ).count()
    return {
        **_header(DocumentKind.ACCEPTANCE, application.division_code, township, on),
        **_applicant(application),
        "members": members,
        "accepted_on": chinese_date(application.accepted_on),
        "working_days": limit,
        "due": chinese_date(due),
        "basis": legal.basis(application.program, "time_limit"),
    }


def _disability(category: str, grade: int | None) -> str:
    if category in ("", "none"):
        return "无"
    label = label_of("disability_category", category)
    return f"{label}{grade}级" if grade else label


def _label_or_none(code_list: str, code: str) -> str:
    return "无" if code in ("", "none") else label_of(code_list, code)


def _money_label(name: str) -> str:
    variable = rules_system().variables.get(name)
    label = variable.label if variable is not None else name
    return label.removesuffix("（月均）")


@in_record_language
def home_visit_form(application: Application, on: dt.date) -> dict[str, object]:
    """入户调查表: the members as registered, their declared income and assets, the household's
    housing and vehicles, lines for the findings and signatures of at least two visitors
    (Art. 16) and the applicant."""
    household = application.household
    memberships = list(
        Membership.objects.filter(household=household, valid_to__isnull=True)
        .select_related("person")
        .order_by("relation", "person_id")
    )
    persons = [m.person for m in memberships]
    names = {p.pk: p.name for p in persons}
    incomes = list(
        Income.objects.filter(person__in=persons, source=Source.DECLARED).exclude(monthly_amount=0)
    )
    assets = Asset.objects.filter(person__in=persons, source=Source.DECLARED)
    # Transfer expenditure (support paid to others) is declared with the incomes but deducted.
    paid_out = [i for i in incomes if i.component == "transfer_expenditure"]
    received = [i for i in incomes if i.component != "transfer_expenditure"]
    income_rows = [
        {
            "member": names[i.person_id],
            "item": _money_label(i.component),
            "amount": format_yuan(i.monthly_amount),
        }
        for i in sorted(received, key=lambda i: (i.person_id, i.component))
    ]
    return {
        **_header(
            DocumentKind.HOME_VISIT_FORM,
            application.division_code,
            application.division_code[:9],
            on,
        ),
        **_applicant(application),
        "members": [
            {
                "name": m.person.name,
                "id": mask_id(m.person.resident_id),
                "relation": label_of("relation", m.relation),
                "age": age_on(m.person.birth_date, on),
                "disability": _disability(m.person.disability_category, m.person.disability_grade),
                "illness": _label_or_none("serious_illness", m.person.serious_illness),
                "school": _label_or_none("student_level", m.person.student_level),
            }
            for m in memberships
        ],
        "incomes": income_rows,
        "income_total": format_yuan(sum(i.monthly_amount for i in received)),
        "paid_out": format_yuan(sum(i.monthly_amount for i in paid_out)),
        "assets": [
            {"member": names[a.person_id], "amount": format_yuan(a.amount)}
            for a in sorted(assets, key=lambda a: a.person_id)
        ],
        "housing": {
            "homes": household.homes,
            "floor_area": (
                f"{household.per_capita_floor_area}"
                if household.per_capita_floor_area is not None
                else ""
            ),
            "non_residential": "有" if household.non_residential_property else "无",
            "vehicles": household.vehicles,
            "mobility_vehicles": household.disability_mobility_vehicles,
            "business_capital": format_yuan(household.business_capital),
            "medical": format_yuan(household.rigid_medical_expenditure),
            "education": format_yuan(household.rigid_education_expenditure),
        },
        "finding_lines": list(FINDING_LINES),
        "investigators": 2,
        "basis": legal.basis(application.program, "investigation"),
    }


def _covered_names(application: Application) -> list[str]:
    latest = application.assessments.first()
    members = unit_members(application, latest)
    if per_person(application.program) and not members:
        return [application.applicant.name]
    return [member.person.name for member in members if member.covered]


def _remedies() -> dict[str, object]:
    """The time limits and laws of 行政复议 and 行政诉讼 (the bodies are the office's)."""
    return {
        "review_days": legal.REVIEW_DAYS,
        "review_law": legal.REVIEW_LAW,
        "litigation_months": legal.LITIGATION_MONTHS,
        "litigation_law": legal.LITIGATION_LAW,
    }


@in_record_language
def approval(application: Application, on: dt.date) -> dict[str, object]:
    """确认通知书: who the amount covers, the monthly amount and the first paid month (the month
    after the decision, Art. 21), and the remedies."""
    header = _header(
        DocumentKind.APPROVAL,
        application.division_code,
        deciding_office_code(application.division_code),
        on,
    )
    amount = application.monthly_amount
    return {
        **header,
        **_applicant(application),
        **_remedies(),
        "decided_on": chinese_date(application.decided_on),
        "covered": _covered_names(application),
        "amount": format_yuan(amount) if amount else "",
        "first_month": chinese_month(application.first_paid_month),
        "once": not registry.program(application.program).monthly,
        "helped_first": application.fast_path,
        "basis": legal.basis(application.program, "payment"),
    }


@in_record_language
def refusal(application: Application, on: dt.date) -> dict[str, object]:
    """不予确认通知书: the reasons in writing (Art. 21) and the remedies."""
    header = _header(
        DocumentKind.REFUSAL,
        application.division_code,
        deciding_office_code(application.division_code),
        on,
    )
    return {
        **header,
        **_applicant(application),
        **_remedies(),
        "decided_on": chinese_date(application.decided_on),
        "reasons": application.decision_reasons,
        "basis": legal.basis(application.program, "refusal"),
    }


@in_record_language
def termination(entitlement: Entitlement, on: dt.date) -> dict[str, object]:
    """终止通知书: the grounds and reasons (Art. 32), the month payment stops, the remedies."""
    header = _header(
        DocumentKind.TERMINATION,
        entitlement.division_code,
        deciding_office_code(entitlement.division_code),
        on,
    )
    if entitlement.person is not None:
        addressee = entitlement.person.name
    elif entitlement.application is not None:
        addressee = entitlement.application.applicant.name
    else:
        addressee = ""
    return {
        **header,
        **_remedies(),
        "addressee": addressee,
        "household_number": entitlement.household.number,
        "address": entitlement.household.address,
        "program": Program.label(entitlement.program),
        "entitlement_number": entitlement.number,
        "decided_on": chinese_date(entitlement.terminated_on),
        "end_month": chinese_month(entitlement.end_month),
        "grounds": str(entitlement.get_termination_grounds_display()),
        "reasons": entitlement.termination_reason,
        "basis": legal.basis(entitlement.program, "termination")
        if entitlement.program != Program.TEKUN
        else f"依照{legal.TEKUN_RULES}",
    }


def _fraud_facts(recovery: Recovery, kind: str, on: dt.date) -> dict[str, object]:
    """What a fraud's prior notice and decision both print: the party, the entitlement, the
    facts, the amount and the fine (decided by the district bureau)."""
    entitlement = recovery.entitlement
    if entitlement.person is not None:
        addressee = entitlement.person.name
    elif entitlement.application is not None:
        addressee = entitlement.application.applicant.name
    else:
        addressee = ""
    return {
        **_header(kind, recovery.division_code, DISTRICT_CODE, on),
        "addressee": addressee,
        "household_number": entitlement.household.number,
        "address": entitlement.household.address,
        "program": Program.label(entitlement.program),
        "entitlement_number": entitlement.number,
        "facts": recovery.reason,
        "amount": format_yuan(recovery.amount),
        "multiple": f"{recovery.fine_multiple.normalize():f}" if recovery.fine_multiple else "",
        "fine": format_yuan(recovery.fine_amount),
        "total": format_yuan(recovery.amount + recovery.fine_amount),
        "basis": legal.FRAUD_RULE,
    }


@in_record_language
def penalty_notice(recovery: Recovery, on: dt.date) -> dict[str, object]:
    """行政处罚事先告知书 (《行政处罚法》第四十四条): the facts, reasons, grounds and the intended
    penalty, the right to state and defend within the statement period, and the right to
    request a hearing within 5 working days (第六十三条、第六十四条) — stated as conditional
    while the threshold of a 较大数额罚款 is unknown, never with an invented amount."""
    statement_days = rule(STATEMENT_WORKING_DAYS).number(on)
    return {
        **_fraud_facts(recovery, DocumentKind.PENALTY_NOTICE, on),
        "statement_days": statement_days,
        "statement_law": legal.STATEMENT_LAW,
        "hearing_days": rule(HEARING_REQUEST_WORKING_DAYS).number(on),
        "hearing_law": legal.HEARING_LAW,
        # True, False, or None while the threshold is unknown (the notice says so).
        "hearing_right": hearing_right(recovery.fine_amount, on),
    }


def _procedure_recital(recovery: Recovery) -> dict[str, object]:
    """What a fraud decision recites of the procedure before it: the prior notice (number and
    date) and the statement heard, or none made in time, and a hearing held."""
    notice = IssuedDocument.objects.filter(
        kind=DocumentKind.PENALTY_NOTICE, recovery=recovery
    ).first()
    adopted = recovery.statement_adopted
    return {
        "notice_number": notice.number if notice else "",
        "notice_date": chinese_date(recovery.notified_on),
        "statement_on": chinese_date(recovery.statement_on),
        "statement": recovery.statement,
        "statement_adopted": "" if adopted is None else ("予以采纳" if adopted else "不予采纳"),
        "statement_finding": recovery.statement_finding,
        "hearing_held_on": chinese_date(recovery.hearing_held_on),
        "hearing_outcome": recovery.hearing_outcome,
    }


@in_record_language
def fraud_decision(recovery: Recovery, on: dt.date) -> dict[str, object]:
    """责令退回骗取的救助资金并处罚款决定书 (《社会救助暂行办法》第六十八条): the procedure before it
    (the prior notice, the statement heard, a hearing), the facts, the amount ordered repaid and
    the fine (its multiple), where and by when to pay (15 days, 《行政处罚法》第六十七条, with the
    late fine of its Art. 72), the remedies. Decided by the district bureau."""
    return {
        **_fraud_facts(recovery, DocumentKind.FRAUD_DECISION, on),
        **_remedies(),
        **_procedure_recital(recovery),
        "decided_on": chinese_date(recovery.decided_on or timezone.localdate(recovery.decided_at)),
        "payment_days": legal.FINE_PAYMENT_DAYS,
        "payment_law": legal.FINE_PAYMENT_LAW,
        "late_law": legal.LATE_FINE_LAW,
    }


@in_record_language
def public_notice(
    community_code: str, applications: Iterable[Application], on: dt.date
) -> dict[str, object]:
    """公示名单 of one community (Art. 19, 24): the applicant's surname, the program, the
    number of people the amount covers (as the amount counts them), the amount and the period.
    Minors are never published: an application whose applicant is under 18 is left out."""
    township = community_code[:9]
    rows = []
    withheld = 0
    programs = set()
    adult = adult_age(rules_system().parameters, on)
    for application in applications:
        if age_on(application.applicant.birth_date, on) < adult:
            withheld += 1
            continue
        latest = application.assessments.first()
        result = program_result(latest, application) if latest else None
        amount = result.amount if result else None
        covered = covered_count(application, latest)
        programs.add(application.program)
        rows.append(
            {
                "name": mask_name(application.applicant.name),
                "program": Program.label(application.program),
                "covered": covered,
                "amount": format_yuan(int(amount)) if amount is not None else "",
                "starts": chinese_date(application.notice_starts_on),
                "ends": chinese_date(application.notice_ends_on),
            }
        )
    return {
        **_header(DocumentKind.PUBLIC_NOTICE, community_code, township, on),
        "rows": rows,
        "withheld": withheld,
        "notice_days": notice_days(on),
        "basis": legal.publicity_basis(programs),
    }


BUILDERS = {
    DocumentKind.MISSING_MATERIALS: missing_materials,
    DocumentKind.ACCEPTANCE: acceptance,
    DocumentKind.HOME_VISIT_FORM: home_visit_form,
    DocumentKind.APPROVAL: approval,
    DocumentKind.REFUSAL: refusal,
}
"""The builders of the documents of one application, by kind."""
