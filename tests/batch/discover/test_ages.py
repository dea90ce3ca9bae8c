"""Discovery's age thresholds are the rules' ages (one definition of a minor and of the elderly):
a signal may not hold a different number under the same name."""

from __future__ import annotations

import datetime as dt

from jiuzhu.batch.pipelines.discover.catalogue import catalogue
from jiuzhu.rules import load_system
from jiuzhu.rules.ages import ADULT_AGE_PARAMETER, ELDERLY_AGE_PARAMETER

RULES_AGE = {"adult_age": ADULT_AGE_PARAMETER, "elderly_age": ELDERLY_AGE_PARAMETER}


def test_a_signals_age_of_majority_or_old_age_is_the_rules_one() -> None:
    parameters = load_system("tianjin").parameters
    checked = 0
    for code, signal in catalogue().items():
        for name, path in RULES_AGE.items():
            if name not in signal.parameters:
                continue
            for year in range(2016, 2027):
                on = dt.date(year, 7, 1)
                found = signal.thresholds(on)[name].value
                assert found == parameters[path].at(on).value, f"{code}.{name} on {on}"
                checked += 1
    assert checked > 0
