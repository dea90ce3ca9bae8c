"""Pure rules-as-code for Chinese social assistance (DESIGN.md §4).

``jiuzhu.rules`` imports nothing from the rest of the project and no Django, database or network
library: a researcher can install it and run the rules alone::

    from jiuzhu.rules import load_system
    system = load_system("tianjin")
    result = system.simulate(households, persons)      # Polars frames, money in fen

See ``jiuzhu.rules.engine`` for the engine and ``jiuzhu.rules.programs`` for the programs.
"""

from jiuzhu.rules.system import RuleSystem, load_system

__all__ = ["RuleSystem", "load_system"]
