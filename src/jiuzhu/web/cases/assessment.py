"""Running the rules engine on an application's household (the same code as a batch)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiuzhu.rules import load_system
from jiuzhu.rules.engine.explain import explain_household, render
from jiuzhu.web.cases.models import Application, Assessment, Program
from jiuzhu.web.registry.frames import engine_frames

OUTPUTS = {
    Program.DIBAO: ("dibao_eligible", "dibao_amount"),
    Program.NEAR_DIBAO: ("near_dibao_status", "near_dibao_cash"),
    Program.RIGID_EXPENDITURE: ("rigid_expenditure_eligible", None),
    Program.TEKUN: ("tekun_eligible", "tekun_amount"),
}


def assess(application: Application, on: dt.date, basis: str) -> Assessment:
    """Assess the household on ``on`` from ``basis`` data (``declared`` or ``verified``) and keep
    every program's decision, amount and reasons, and the explanation (Chinese) with its legal
    references and weak parameters.

    Raises:
        ParameterNotDefinedError: ``on`` is before the rules' coverage.
    """
    system = load_system("tianjin")
    # Keyed by the household number and resident IDs: the explanation names what people read.
    frames = engine_frames(system, [application.household_id], on, basis, public_keys=True)
    explanation = explain_household(system, frames, application.household.number)
    results: dict[str, Any] = {}
    for part in explanation.programs:
        key = part.program.name
        if part.program.entity.name == "person":
            key = f"{key}:{part.subject}"
        results[key] = {
            "label": str(part.program.label),
            "status": part.status,
            "amount": part.amount,
            "reasons": [r.label or r.code for r in part.reasons],
        }
    return Assessment.objects.create(
        application=application,
        on_date=on,
        basis=basis,
        results=results,
        explanation=render(explanation, system.variables, "zh"),
        parameter_digest=system.parameters.digest(),
    )


def program_result(assessment: Assessment, application: Application) -> dict[str, Any] | None:
    """The assessment's result for the application's own program (for tekun: the applicant)."""
    if application.program == Program.TEKUN:
        return assessment.results.get(f"tekun:{application.applicant.resident_id}")
    if (
        application.program == Program.NEAR_DIBAO
        and application.single_person_choice == "single_person_unit"
    ):
        return assessment.results.get("single_person_unit")
    return assessment.results.get(application.program)
