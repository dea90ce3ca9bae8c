"""Family economic-status verification (家庭经济状况核对): what the departments' records say about a
household, compared with what it declared — per member and for the household, with where each
value came from. Pure: no Django, no database (``jiuzhu.web.verification.actions`` reads the
inputs, calls ``derive`` or ``verify`` and stores the result under its verification run).

Legal source: 《最低生活保障审核确认办法》（民发〔2021〕57号）第十七条 (the household's economic
status is verified against the departments' records, 信息核对); who counts as a member (an adult
child at school) 同办法第七条; the sources are those of Tianjin's verification of household
economic status (天津市家庭经济状况核对).

**Inputs** (plain dataclasses and mappings: a household has a few members and a few hundred
records, and the rules read them row by row):

- ``members``: ``MemberFacts`` — ``person_id`` (int), ``resident_id`` (str, 18 characters, as
  the departments write it), ``name``, ``relation`` (code), ``disability_category`` (code),
  ``disability_grade`` (int 1–4 or None), ``student_level`` (code).
- ``records``: resident ID → source → list of rows, oldest period first; a row is a dict of the
  department record's fields as ``jiuzhu.feeds`` normalises them (money ``int`` fen, floor areas
  ``int`` hundredths of a square metre, dates ISO text, codes as identifiers, ``line`` the row's
  line in the delivered file) plus ``period`` (``YYYY-MM`` or "") and ``received_at`` (ISO
  datetime text).
- ``declared_incomes``: (person, component) → monthly fen; ``declared_assets``: person → fen.
- ``household``: ``HouseholdFacts`` (the registered counts, floor area as ``Decimal`` m², medical
  payments fen).
- ``deliveries``: source → ``Delivery`` (when its current delivery arrived, its latest month).
- ``on``: the application's date; its month bounds every window.

**Output**: ``Findings`` — ``answers`` (one ``Answer`` per member and source: the matching rows
and a summary), ``incomes`` / ``assets`` (``Verified``: fen and the basis text, ≤ 200
characters), the components and persons left without evidence, ``household`` (field → value
found) and ``comparisons``. A ``Comparison`` carries its provenance: ``source`` (which feed),
``period`` (which months), ``received_at`` (which delivery, by date) and, through the member's
``Answer`` of that source, the records themselves with their file lines. Items and sources are
codes (``ITEMS``, ``SOURCES``); the web shows them through translated labels. The Chinese names
(``LABELS``, ``SOURCE_LABELS``) and the notes are the texts the record keeps.

The rules:

- A verified value is derived only from records found. A member without records of a source
  gets no verified value from it (the declaration stands) and the comparison says
  “未发现…记录” as information, not a warning.
- **Tax** (个人所得税扣缴明细): the monthly wage is the average of ``income`` over six months
  ending with the tax delivery's latest month, or with the application's month if that is
  earlier (a month's withholding is filed the month after, so the application's own month is
  usually not in the delivery yet). A month without a row counts as 0 — for a person who has tax
  rows at all; a person without tax rows has no verified wage (“未发现纳税记录”).
- **Social insurance**, the person's latest month (not after the application's month): the
  benefits 职工基本养老金 → ``employee_pension``, 城乡居民基础养老金 →
  ``residents_basic_pension``, 失业保险金 → ``unemployment_insurance``, and the personal
  contributions of all schemes → ``transfer_expenditure`` (the feed has no income tax or support
  paid, which the declared transfer expenditure may include: the comparison shows the gap).
- **Monetary assets** (per person): financial assets — for each institution and asset type, the
  balances of the latest query date — plus the subscribed capital of market entities whose status
  is 存续/在业.
- **Household** values, written only where records were found: active vehicles (not
  deregistered on the application's date) and disability cars among them; residential property
  (distinct certificates) and the per-capita floor area over the current members;
  non-residential property (commercial, office, industrial; a parking space does not count);
  the members' own medical payments (个人自付) over the twelve months ending with the medical
  delivery's latest month (or the application's month if earlier).
- **Compared only** (nothing is written; a person decides): the disability certificate against
  the registry's category and grade; school records against the registry's level; a member
  found in the deaths register; an unemployment registration while a wage is declared or found;
  housing-fund deposits by an employer while no wage is declared.
- **Names**: a record is matched by ID number; where its name is not the member's registered name
  (compared by ``jiuzhu.feeds.names.comparable``: width, middle dots and invisible characters
  do not count), the match stands and a ``warning`` says so, for a person to decide whether a
  name was mistyped or the ID belongs to someone else — never a silent match.
- A comparison is a ``warning`` when the values differ: money by more than one yuan
  (``MONEY_TOLERANCE``, fen), floor area by more than 0.01 m², counts and codes at all.

The modules: ``common`` holds the sources, items, types and month windows every part shares;
``incomes`` the tax and social-insurance rules; ``assets`` the monetary assets; ``household``
the household's vehicles, property and medical payments; ``checks`` the comparisons that write
nothing and the names; ``pipeline`` runs them all (``derive`` for one household, ``verify`` for
many, e.g. a district, over one mapping of records); ``changes`` says which verified values to
write to the registry and which to remove (``value_changes``).
"""

from __future__ import annotations

from jiuzhu.batch.pipelines.verify.changes import ValueChange, value_changes
from jiuzhu.batch.pipelines.verify.common import (
    ITEMS,
    LABELS,
    SOURCE_LABELS,
    SOURCES,
    Answer,
    Comparison,
    Delivery,
    Findings,
    HouseholdFacts,
    MemberFacts,
    Verified,
)
from jiuzhu.batch.pipelines.verify.pipeline import HouseholdCase, derive, verify

__all__ = [
    "ITEMS",
    "LABELS",
    "SOURCES",
    "SOURCE_LABELS",
    "Answer",
    "Comparison",
    "Delivery",
    "Findings",
    "HouseholdCase",
    "HouseholdFacts",
    "MemberFacts",
    "ValueChange",
    "Verified",
    "derive",
    "value_changes",
    "verify",
]
