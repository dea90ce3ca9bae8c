"""Synthetic Baodi District (宝坻区): households, persons, obligors and department feeds.

No real person's data: names come from Faker's ``zh_CN`` lists, ID numbers are generated with
valid check characters, and incomes, assets and health are drawn from seeded distributions
calibrated so that the rules engine finds caseloads inside the estimate bands
(``jiuzhu.synth.calibration``). Everything is vectorised with NumPy and Polars and reproducible:
the same seed gives byte-identical files.
"""
