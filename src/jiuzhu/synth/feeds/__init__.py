"""The department feeds of a synthetic district: the thirteen files the departments send.

Each feed is built from the generated population as one Polars frame (no Python loop per person)
and written as the department would send it: the Chinese headers of the source's ``FeedSpec``
(the aliases differ from source to source), CSV in UTF-8 or GB18030 or an xlsx workbook, and the
small dirt real exports carry — full-width digits and a lower-case x in ID numbers, 15-digit
legacy numbers, exactly repeated rows, people who are not in the district's registry, dates and
months written in another form than the rest of the file. Every default feed reads cleanly with
``jiuzhu.feeds.base.read_feed``; ``write_bad_examples`` writes the files that must be rejected.

What each feed says agrees with the population:

========================  ==================================================================
tax                       wages (``wage_income``) of every earner, each of the six months
                          before ``on``, with the income tax withheld
social_insurance          the employee contributions (``transfer_expenditure``: pension 8,
                          medical 2, unemployment 0.5 of 10.5) and the pensions paid
                          (``employee_pension``, ``residents_basic_pension``), three months
housing_fund              deposits of half the town employees, three months
real_estate               the household's ``homes`` in the head's name, floor areas adding up
                          to ``per_capita_floor_area`` × members; shops where
                          ``non_residential_property``
vehicles                  the household's ``vehicles`` (a disability car where
                          ``disability_mobility_vehicles``); old deregistered vehicles
financial_assets          the head's deposits and securities: ``monetary_assets`` less the
                          ``business_capital`` (which ``market_entities`` reports)
market_entities           ``business_capital`` as subscribed capital; a few closed businesses
medical_insurance         settlements of the seriously ill and special-outpatient patients;
                          the patient's own share adds up to ``rigid_medical_expenditure``
disability                a certificate per disabled person (category and grade)
deaths                    a few deaths in the two months before ``on``
unemployment              registrations of working-age people with no income from work
students                  a record per pupil or student by ``student_level``; a few graduates
custody                   the people the registry has as absent in prison or compulsory drug
                          rehabilitation, from ``absent_since``
========================  ==================================================================

On top of this, every feed that discovery reads (docs/discovery.md) carries the events of the
month of ``on`` (the discovery month), dated from its first day to the day before ``on`` and drawn
from a separate random stream (``_month_events``): hospital stays with and without a listed
diagnosis, certificates new or upgraded, custody starts, deaths, unemployment registrations,
contributions stopped (the latest month's rows dropped), and vehicles, properties and businesses
registered — mostly in low-income households, so that every signal fires, and far more records
that do not. These are events the registry does not know yet, so the population-agreement
statements above hold for the records dated before that month.

The same seed gives byte-identical files (the xlsx writer fixes every timestamp).

The package's modules:

========================  ==================================================================
``layout``                how each department writes its file (``Layout``, ``LAYOUTS``) and
                          ``SyntheticFeed``, a file's cells before writing
``context``               ``_Context``, what several feeds share (persons with their
                          household's facts, the registry, employers, the unemployed)
``income``                tax, social_insurance, housing_fund
``assets``                real_estate, vehicles, financial_assets, market_entities
``health``                medical_insurance, disability
``civil``                 deaths, unemployment, students, custody
``events``                the discovery month's events of every feed (``_month_events``)
``render``                cells from a feed's frame (headers, forms, dirt) and the xlsx writer
``shared``                small array helpers the modules share (ID check characters, dates,
                          splitting amounts, interleaving rows)
========================  ==================================================================

This module holds the entry points: ``build_feeds``, ``write_feeds``, ``write_feed`` and
``write_bad_examples``.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import polars as pl

from jiuzhu.feeds import sources as _sources  # noqa: F401 — registers every source's spec
from jiuzhu.feeds.base import SPECS
from jiuzhu.synth import names
from jiuzhu.synth.feeds.assets import _financial_assets, _market_entities, _real_estate, _vehicles
from jiuzhu.synth.feeds.civil import _custody, _deaths, _students, _unemployment
from jiuzhu.synth.feeds.context import _Context
from jiuzhu.synth.feeds.events import _month_events
from jiuzhu.synth.feeds.health import _disability, _medical_insurance
from jiuzhu.synth.feeds.income import _housing_fund, _social_insurance, _tax
from jiuzhu.synth.feeds.layout import SyntheticFeed
from jiuzhu.synth.feeds.render import _render, _write_xlsx, _yuan_text
from jiuzhu.synth.feeds.shared import _check_characters, _first17, _written_at
from jiuzhu.synth.population import District


def build_feeds(
    district: District, seed: int, register: pl.DataFrame | None = None
) -> dict[str, SyntheticFeed]:
    """Every source's file contents for ``district``, by source name (see the module docstring);
    with the district's ``register``, the month's deaths include parents of children paid the
    orphan allowance."""
    context = _Context(district, seed, register)
    builders = {
        "tax": _tax,
        "social_insurance": _social_insurance,
        "housing_fund": _housing_fund,
        "real_estate": _real_estate,
        "vehicles": _vehicles,
        "financial_assets": _financial_assets,
        "market_entities": _market_entities,
        "medical_insurance": _medical_insurance,
        "disability": _disability,
        "deaths": _deaths,
        "unemployment": _unemployment,
        "students": _students,
        "custody": _custody,
    }
    feeds: dict[str, SyntheticFeed] = {}
    for index, (source, build) in enumerate(builders.items(), start=1):
        rng = np.random.default_rng([seed, index])
        frame = build(context, rng)
        # The discovery month's events draw from their own stream, so the rest stays as it was.
        frame = _month_events(source, context, frame, np.random.default_rng([seed, 100 + index]))
        feeds[source] = _render(source, frame, rng, context)
    return feeds


def write_feeds(
    district: District, out_dir: Path, seed: int, register: pl.DataFrame | None = None
) -> dict[str, Path]:
    """Write the thirteen department files into ``out_dir`` (created if missing); ``register``
    as for ``build_feeds``.

    Returns:
        the path of each source's file, by source name (``tax.csv``, ``vehicles.xlsx``, …).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = _written_at(district.on)
    paths: dict[str, Path] = {}
    for source, feed in build_feeds(district, seed, register).items():
        path = out_dir / feed.filename
        write_feed(feed, path, written)
        paths[source] = path
    return paths


def write_feed(feed: SyntheticFeed, path: Path, written_at: dt.datetime) -> None:
    """Write one feed's cells as CSV (its encoding) or as an xlsx workbook."""
    if feed.layout.format == "xlsx":
        _write_xlsx(path, feed.cells, feed.numeric, written_at, SPECS[feed.source].label[:31])
        return
    text = feed.cells.write_csv(line_terminator=feed.layout.line_terminator)
    path.write_bytes(text.encode(feed.layout.encoding))


BAD_EXAMPLES = {
    "bad_rows": "tax_bad_rows.csv",
    "missing_column": "social_insurance_missing_column.csv",
    "undecodable": "financial_assets_undecodable.csv",
    "corrupt_xlsx": "vehicles_corrupt.xlsx",
}
"""The deliberately bad files ``write_bad_examples`` writes, by kind."""


def write_bad_examples(out_dir: Path, seed: int = 0) -> dict[str, Path]:
    """Write one file of each kind a reader must reject (for tests and demonstrations).

    - ``bad_rows`` (tax, 14 rows): line 5 has an ID number with a wrong check character, line 9
      an amount that is not a number (``3,2OO.00``, letter O), line 12 more tax withheld than
      income, line 13 the month ``2025-13``; the other ten rows are good.
    - ``missing_column`` (social insurance): no 险种 column.
    - ``undecodable``: bytes that are neither UTF-8 nor GB18030, named ``.csv``.
    - ``corrupt_xlsx``: a vehicles workbook cut off halfway.

    Returns:
        the path of each file, by kind.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 99])
    count = 14
    births = np.datetime64("1960-01-01") + rng.integers(0, 40 * 365, count).astype("timedelta64[D]")
    male = rng.random(count) < 0.5
    first17 = _first17(np.full(count, "120115"), births, 10 + 2 * np.arange(count) + male)
    ids = np.char.add(first17, _check_characters(first17))
    ids[3] = ids[3][:17] + ("1" if ids[3][-1] == "0" else "0")
    income = rng.integers(300_000, 1_200_000, count)
    tax = income // 50
    tax[10] = income[10] + 100
    frame = pl.DataFrame(
        {
            "纳税人识别号": ids,
            "纳税人姓名": np.char.add(names.surnames(rng, count), names.given_names(rng, male)),
            "税款所属期": ["2025-09"] * count,
            "收入额": _yuan_text(pl.Series(income)),
            "已扣缴税额": _yuan_text(pl.Series(tax)),
            "扣缴义务人名称": ["天津宝坻宏达建材有限公司"] * count,
        }
    ).with_columns(
        pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.lit("3,2OO.00"))
        .otherwise(pl.col("收入额"))
        .alias("收入额"),
        pl.when(pl.int_range(pl.len()) == 11)
        .then(pl.lit("2025-13"))
        .otherwise(pl.col("税款所属期"))
        .alias("税款所属期"),
    )
    paths = {kind: out_dir / name for kind, name in BAD_EXAMPLES.items()}
    paths["bad_rows"].write_text(frame.write_csv(), encoding="utf-8")
    missing = pl.DataFrame(
        {
            "公民身份号码": ids[:3],
            "姓名": frame["纳税人姓名"][:3],
            "费款所属期": ["202509"] * 3,
            "个人缴费金额": ["320.00"] * 3,
            "待遇类型": ["无"] * 3,
            "月待遇": ["0.00"] * 3,
            "参保状态": ["正常参保"] * 3,
        }
    )
    paths["missing_column"].write_bytes(missing.write_csv().encode("gb18030"))
    noise = rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
    paths["undecodable"].write_bytes(b"\x80\xff\x80" + noise + b"\xff")
    workbook = io.BytesIO()
    cells = pl.DataFrame({"身份证明号码": ids[:5], "机动车所有人": frame["纳税人姓名"][:5]})
    _write_xlsx(workbook, cells, frozenset(), _written_at(dt.date(2025, 10, 15)))
    whole = workbook.getvalue()
    paths["corrupt_xlsx"].write_bytes(whole[: len(whole) // 2])
    return paths
