"""The rules engine: variables, entities, effective-dated parameters, a planner that turns the
requested outputs into rounds of lazy Polars plans (docs/decisions/0001), reason codes, traces and explanations."""

from jiuzhu.rules.engine.entities import HOUSEHOLD, OBLIGOR, PERSON, Entity
from jiuzhu.rules.engine.errors import (
    InputIssue,
    InvalidInputError,
    ParameterFileError,
    ParameterNotDefinedError,
    RulesError,
    UnknownJurisdictionError,
)
from jiuzhu.rules.engine.formula import Formula
from jiuzhu.rules.engine.parameters import ParameterTree, load_parameters
from jiuzhu.rules.engine.reasons import Reason, ReasonSet
from jiuzhu.rules.engine.variables import Variable, Variables, input_variable, variable

__all__ = [
    "HOUSEHOLD",
    "OBLIGOR",
    "PERSON",
    "Entity",
    "Formula",
    "InputIssue",
    "InvalidInputError",
    "ParameterFileError",
    "ParameterNotDefinedError",
    "ParameterTree",
    "Reason",
    "ReasonSet",
    "RulesError",
    "UnknownJurisdictionError",
    "Variable",
    "Variables",
    "input_variable",
    "load_parameters",
    "variable",
]
