"""Scenario pages: the list with the form to measure one, and a scenario's results (by program,
by township on a chart, the gains and losses, the linked standards) with the decision."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiuzhu.batch.pipelines.simulate.scenario_file import Budget
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.rules.proposals import proposals
from jiuzhu.rules.registry import Payment, Program
from jiuzhu.web.core import clock
from jiuzhu.web.core.charts import Chart, Series
from jiuzhu.web.core.parameters import value_text
from jiuzhu.web.core.users import staff
from jiuzhu.web.core.views import add_errors, post_only
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.scenarios import actions
from jiuzhu.web.scenarios.forms import NoteForm, ScenarioForm
from jiuzhu.web.scenarios.models import Scenario, Status

DIBAO_STANDARD = "dibao.standard"


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _budget_programs() -> list[tuple[str, str]]:
    """The programs a budget may cover: those paid monthly with an amount (options aside)."""
    return [
        (p.name, p.label_en if _english() else p.label)
        for p in rules_system().programs
        if p.amount and p.monthly and not p.option
    ]


def _parameters() -> list[tuple[str, str]]:
    """The parameters a scenario may change besides the dibao standard (amounts and ratios), by
    their names in the user's language."""
    found = [
        (p.path, p.label_en if _english() else p.description)
        for p in rules_system().parameters
        if p.path != DIBAO_STANDARD and (p.unit.money or p.unit.key == "ratio")
    ]
    return sorted(found, key=lambda item: item[1])


def _first_of_next_month() -> dt.date:
    today = clock.today()
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _initial(request: HttpRequest) -> dict[str, object]:
    """The form's first values; ``?standard=&reference=&label=`` prefill it (a proposal)."""
    initial: dict[str, object] = {"effective": _first_of_next_month()}
    standard = request.GET.get("standard", "")
    if re.fullmatch(r"[0-9]{1,7}", standard) and 0 < int(standard) <= 1_000_000:
        initial["standard"] = int(standard)
    for field in ("reference", "label"):
        if request.GET.get(field):
            initial[field] = request.GET[field][:100]
    return initial


def _budget(data: dict[str, Any]) -> Budget | None:
    if data.get("budget_annual") is None:
        return None
    chosen = set(data.get("budget_programs") or [name for name, _label in _budget_programs()])
    return Budget(
        DIBAO_STANDARD,
        data["budget_annual"] * 100,
        data["budget_low"],
        data["budget_high"],
        tuple(p for p in rules_system().programs if p.name in chosen),
    )


def _proposals() -> list[dict[str, object]]:
    """Each method's proposed standard today (``jiuzhu.rules.proposals``, the district's local
    values included): its name, formula and source, the figure in yuan (None while an input is
    unknown: the inputs missing, by name), whether it breaks the tekun floor, and the query
    that opens the scenario form with it."""
    system = rules_system()
    english = _english()
    rows: list[dict[str, object]] = []
    for proposal in proposals(system, clock.today()):
        value = proposal.value
        missing = sorted(
            {
                system.parameters[i.path].label_en
                if english
                else system.parameters[i.path].description
                for i in proposal.unknown
            }
        )
        label = proposal.label_en if english else proposal.label
        rows.append(
            {
                "label": label,
                "formula": proposal.formula_en if english else proposal.formula,
                "source": proposal.source,
                "yuan": None if value is None else value // 100,
                "missing": missing,
                "breaks_floor": proposal.breaks_floor,
                "query": urlencode(
                    {
                        "standard": value // 100,
                        "reference": proposal.reference[:200],
                        "label": label,
                    }
                )
                if value is not None
                else "",
            }
        )
    return rows


def scenario_list_view(request: HttpRequest) -> HttpResponse:
    """Every scenario of the jurisdiction and, for a district officer, the form to measure one."""
    user = staff(request)
    if not user.has_perm("scenarios.view", Scenario(division_code=user.division_code)):
        raise PermissionDenied
    may_create = user.has_perm("scenarios.create", Scenario(division_code=user.division_code))
    form = ScenarioForm(
        request.POST or None,
        programs=_budget_programs(),
        parameters=_parameters(),
        tree=rules_system().parameters,
        initial=_initial(request),
    )
    if request.method == "POST":
        if not may_create:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                scenario = actions.create_scenario(
                    user,
                    label=data["label"],
                    effective=data["effective"],
                    reference=data["reference"],
                    document_number=data["document_number"],
                    changes=form.changes(),
                    budget=_budget(data),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("已完成测算，待另一人审批"))
                return redirect("scenarios:detail", pk=scenario.pk)
    scenarios = list(
        Scenario.objects.filter(division_code__startswith=user.division_code).select_related(
            "created_by", "decided_by"
        )[:100]
    )
    adopted = actions.taken()
    return render(
        request,
        "scenarios/list.html",
        {
            "scenarios": [(s, _refusal(s, adopted)) for s in scenarios],
            "form": form,
            "may_create": may_create,
            "proposals": _proposals(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _refusal(scenario: Scenario, adopted: set[tuple[str, dt.date]] | None = None) -> str | None:
    """Why an awaiting scenario can no longer be approved (``actions.approval_refusal``)."""
    if scenario.status != Status.AWAITING_CHECK:
        return None
    return actions.approval_refusal(scenario, adopted)


def _scenario(request: HttpRequest, pk: int) -> Scenario:
    scenario = get_object_or_404(Scenario, pk=pk)
    if not request.user.has_perm("scenarios.view", scenario):
        raise PermissionDenied
    return scenario


def _label(row: dict[str, Any]) -> str:
    return str(row.get("label_en") if _english() else row.get("label"))


def _yuan(fen: object) -> Decimal | None:
    return None if fen is None else Decimal(int(str(fen))) / 100


def _changes(scenario: Scenario) -> list[tuple[str, str]]:
    """Each change by the parameter's name and its value as people read it, in the user's
    language."""
    parameters = rules_system().parameters
    shown = []
    for path, value in scenario.changes.items():
        parameter = parameters.parameters.get(path)
        name = (
            path
            if parameter is None
            else (parameter.label_en if _english() else parameter.description)
        )
        shown.append((name, value_text(rules_system(), path, value, in_fen=False)))
    return shown


MONTHS = 12


def _pair(before: object, after: object, times: int = 1) -> str:
    """ "before → after" in yuan with separators; a missing side reads "—", both "—"."""
    if before is None and after is None:
        return "—"
    return " → ".join(
        format_yuan(None if v is None else int(str(v)) * times) for v in (before, after)
    )


def _signed(fen: int | None) -> str:
    """A change in yuan with its sign (+1,234.00, -56.00, 0.00); "—" when unknown."""
    return "+" + format_yuan(fen) if fen is not None and fen > 0 else format_yuan(fen)


def _kind(row: dict[str, Any], program: Program | None) -> str:
    """How a program's row is costed: ``monthly`` (a month's amount; a year is 12 of them),
    ``option`` (monthly, an alternative left out of totals), ``season`` (once a heating
    season: a year holds one), ``once`` (per event: its amount rests on what the application
    gives — medical costs, a death — which the registry lacks), ``none`` (no amount: a status, a
    referral, or an amount decided case by case)."""
    if row.get("option"):
        return "option"
    if row.get("baseline_cost") is None:
        return "none"
    if row.get("monthly"):
        return "monthly"
    if program is not None and program.payment is Payment.SEASONAL:
        return "season"  # a year holds one payment to each household: the one measured
    return "once"


def _costs(row: dict[str, Any], kind: str) -> dict[str, str]:
    """A row's money as shown: a month's (monthly programs and options), a year's (12 months,
    or one heating season) and the average; "—" where the kind has none."""
    before, after, difference = row["baseline_cost"], row["scenario_cost"], row["cost_difference"]
    monthly = kind in ("monthly", "option")
    if not monthly and kind != "season":
        return dict.fromkeys(
            ("monthly_cost", "monthly_difference", "annual_cost", "annual_difference", "average"),
            "—",
        )
    yearly = MONTHS if monthly else 1
    return {
        "monthly_cost": _pair(before, after) if monthly else "—",
        "monthly_difference": _signed(difference) if monthly else "—",
        "annual_cost": _pair(before, after, yearly),
        "annual_difference": _signed(None if difference is None else difference * yearly),
        "average": _pair(row.get("baseline_average"), row.get("scenario_average")),
    }


def _summary(scenario: Scenario) -> tuple[list[dict[str, object]], dict[str, str] | None]:
    """The table by program — each row's name, unit (户 or 人), kind (``_kind``) and its money
    as shown (``_costs``) — and the total of the programs paid monthly, options aside (None
    without one)."""
    programs = {p.name: p for p in rules_system().programs}
    rows: list[dict[str, object]] = []
    for row in scenario.summary:
        kind = _kind(row, programs.get(str(row["program"])))
        unit = _("人") if row.get("entity") == "person" else _("户")
        rows.append({**row, "name": _label(row), "unit": unit, "kind": kind, **_costs(row, kind)})
    monthly = [r for r in scenario.summary if _kind(r, None) == "monthly"]
    if not monthly:
        return rows, None
    total = {
        key: sum(int(r[key] or 0) for r in monthly)
        for key in ("baseline_cost", "scenario_cost", "cost_difference")
    }
    shown = _costs(total, "monthly")
    del shown["average"]  # households and persons are not added up
    return rows, shown


def _budget_shown(scenario: Scenario) -> dict[str, object] | None:
    """The budget mode's question and answer as shown: whole yuan with separators, and the
    programs the budget covered by name."""
    if not scenario.budget or not scenario.budget_fit:
        return None
    names = {p.name: p.label_en if _english() else p.label for p in rules_system().programs}
    return {
        "annual": f"{int(scenario.budget['annual']):,}",
        "value": f"{int(scenario.budget_fit['value']):,}",
        "programs": [names.get(n, n) for n in scenario.budget.get("programs", [])],
    }


def _cost_chart(scenario: Scenario) -> Chart:
    """Each township's monthly cost of the programs paid monthly, before and after (yuan)."""
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    for row in scenario.by_township:
        if not row.get("monthly") or row.get("option") or row.get("baseline_cost") is None:
            continue
        name = str(row.get("township") or row.get("township_code"))
        before[name] = before.get(name, 0) + int(row["baseline_cost"])
        after[name] = after.get(name, 0) + int(row["scenario_cost"] or 0)
    names = sorted(before, key=lambda n: after[n], reverse=True)
    return Chart(
        key=f"scenario-{scenario.pk}-cost-by-township",
        title=_("各街镇每月救助金额：现行与方案"),
        categories=names,
        series=[
            Series(_("现行"), [_yuan(before[n]) for n in names]),
            Series(_("方案"), [_yuan(after[n]) for n in names]),
        ],
        unit=_("元/月"),
        horizontal=True,
        notes=[_("按月发放的项目（不含备选项目）在生效当月的合计；一次性项目见上表。")],
    )


def _bands_chart(scenario: Scenario) -> Chart:
    """Households by the change of their monthly assistance, those unchanged left out: they are
    most of the registry and on a linear axis would flatten every other band to nothing (the
    table beside the chart keeps them)."""
    rows = [r for r in scenario.distribution if r["band"] != "unchanged"]
    unchanged = sum(int(r["households"]) for r in scenario.distribution if r["band"] == "unchanged")
    return Chart(
        key=f"scenario-{scenario.pk}-gains-and-losses",
        title=_("家庭每月救助金额的增减"),
        categories=[_label(r) for r in rows],
        series=[Series(_("户数"), [int(r["households"]) for r in rows])],
        unit=_("户"),
        notes=[_("金额不变的 %(n)s 户未画入图中，见下表。") % {"n": f"{unchanged:,}"}],
    )


def _bands(scenario: Scenario) -> list[dict[str, object]]:
    """Every band of the distribution, unchanged included: its name, households and the sum of
    their monthly changes in yuan ("—" where unknown)."""
    return [
        {
            "name": _label(r),
            "households": f"{int(r['households']):,}",
            "difference": _signed(r.get("difference")),
        }
        for r in scenario.distribution
    ]


def scenario_view(request: HttpRequest, pk: int, **forms_: object) -> HttpResponse:
    """A scenario's results and, for a district officer other than its maker, the decision."""
    scenario = _scenario(request, pk)
    user = staff(request)
    may_decide = (
        scenario.status == Status.AWAITING_CHECK
        and user.has_perm("scenarios.approve", scenario)
        and scenario.created_by_id != user.pk
    )
    summary, total = _summary(scenario)
    return render(
        request,
        "scenarios/detail.html",
        {
            "scenario": scenario,
            "summary": summary,
            "total": total,
            "per_event": [r["name"] for r in summary if r["kind"] == "once"],
            "changes": _changes(scenario),
            "budget": _budget_shown(scenario),
            "cost_chart": _cost_chart(scenario),
            "bands_chart": _bands_chart(scenario),
            "bands": _bands(scenario),
            "linked": scenario.linked,
            "floor_broken": any(row.get("compliant") is False for row in scenario.linked),
            "may_decide": may_decide,
            "refusal": _refusal(scenario),
            "forms": {"approve": NoteForm(), "reject": NoteForm(), **forms_},
            "adopted": scenario.adopted_values.select_related("entered_by", "checked_by"),
            "runs": scenario.runs.all(),
        },
        status=400 if forms_ else 200,
    )


@post_only("scenarios:detail", pk="pk")
def scenario_step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Approve or send back a scenario."""
    if step not in ("approve", "reject"):
        raise Http404
    scenario = _scenario(request, pk)
    form = NoteForm(request.POST)
    if step == "approve":
        form.fields["note"].required = False
    if not form.is_valid():
        return scenario_view(request, pk, **{step: form})
    try:
        if step == "approve":
            scenario = actions.approve_scenario(
                staff(request), scenario, note=form.cleaned_data["note"]
            )
            messages.success(
                request,
                _("方案已批准：新标准自 %(d)s 起生效，已按新标准重算在发待遇，待另一人审批重算结果")
                % {"d": scenario.effective.isoformat()},
            )
        else:
            actions.reject_scenario(staff(request), scenario, note=form.cleaned_data["note"])
            messages.success(request, _("方案已退回"))
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "note" in exc.error_dict:
            add_errors(form, exc)
            return scenario_view(request, pk, **{step: form})
        messages.error(request, "；".join(exc.messages))
    return redirect("scenarios:detail", pk=pk)
