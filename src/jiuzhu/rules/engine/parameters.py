"""Effective-dated policy parameters loaded from YAML (docs/decisions/0003-parameter-format.md).

One legal quantity per file under ``rules/policies/<jurisdiction>/``; the file's path without
``.yaml`` (``/`` → ``.``) is the parameter's path, e.g. ``dibao/standard.yaml`` → ``dibao.standard``.

A file::

    description: 城乡低保标准                       # Chinese name (required)
    label_en: Dibao standard                      # English name (required)
    unit: yuan_per_person_month                   # see ParameterUnit (required)
    breakdown: area_type                          # optional: values keyed by a code list
    codes: rounding                               # unit ``code`` only: the code list of the value
    reference: 社会救助暂行办法 第10条              # optional: legal basis of the quantity
    note: …                                       # optional
    values:
      2016-04-01: {value: {urban: 780, rural: 700}, reference: …, confidence: high}
      2025-09-01:
        value: 1045
        reference: 津民规〔2025〕6号
        href: https://mz.tj.gov.cn/…
        published: 2025-08-29
        confidence: high

A value applies from its date (inclusive) until the next date. ``value`` is required at every date:
a number, boolean or code as the unit says, a mapping over the whole breakdown, or one of the
markers ``unknown`` (the value exists in law but was not found: docs/decisions/0004) and
``not_applicable`` (the rule was not in force). Every known value carries ``confidence``
(high, medium, low) and a ``reference``. A date before the first value is an error when assessed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Final

import yaml

from jiuzhu.rules.engine.codes import CodeList
from jiuzhu.rules.engine.errors import (
    ParameterFileError,
    ParameterNotDefinedError,
    UnknownJurisdictionError,
)
from jiuzhu.rules.engine.units import ParameterUnit, yuan_to_fen


class Marker:
    """A value that is not a number: ``unknown`` or ``not_applicable``."""

    def __init__(self, name: str, label: str, label_en: str) -> None:
        self.name = name
        self.label = label
        self.label_en = label_en

    def __repr__(self) -> str:
        return self.name


UNKNOWN: Final = Marker("unknown", "未知（未找到依据）", "unknown (no source found)")
NOT_APPLICABLE: Final = Marker(
    "not_applicable", "不适用（规定未施行）", "not applicable (not in force)"
)
MARKERS: Final = {UNKNOWN.name: UNKNOWN, NOT_APPLICABLE.name: NOT_APPLICABLE}

CONFIDENCES: Final = ("high", "medium", "low")
OVERRIDE_CONFIDENCE: Final = "override"

Scalar = int | Fraction | bool | str | float
"""A resolved value: fen or count (int), ratio (Fraction), boolean, code, or area (float)."""

Resolved = Scalar | Marker | dict[str, Scalar | Marker]

_FILE_KEYS: Final = {
    "description",
    "label_en",
    "unit",
    "breakdown",
    "codes",
    "reference",
    "note",
    "values",
}
_WHOLE_UNITS: Final = (
    ParameterUnit.MONTHS,
    ParameterUnit.YEARS,
    ParameterUnit.DAYS,
    ParameterUnit.WORKING_DAYS,
    ParameterUnit.TIMES,
    ParameterUnit.MULTIPLE,
)
"""Units whose values are whole numbers (int)."""
_VALUE_KEYS: Final = {"value", "reference", "href", "confidence", "published", "note"}


@dataclass(frozen=True)
class ParameterValue:
    """The value of a parameter from ``start`` until the next value's start."""

    start: dt.date
    value: Resolved
    reference: str
    confidence: str
    href: str | None = None
    published: dt.date | None = None
    note: str | None = None

    def for_key(self, key: str | None) -> Scalar | Marker:
        """The value for one breakdown key (or the scalar value when ``key`` is None)."""
        if isinstance(self.value, dict):
            if key is None:
                raise KeyError("this parameter is broken down by a code list: give a key")
            return self.value[key]
        return self.value

    @property
    def has_unknown(self) -> bool:
        """The value, or one of its entries, is ``unknown``."""
        values = self.value.values() if isinstance(self.value, dict) else [self.value]
        return any(isinstance(v, Marker) and v.name == "unknown" for v in values)

    def confidence_for(self, key: str | None) -> str:
        """``unknown`` / ``not_applicable`` for marker values, else the entry's confidence."""
        value = self.for_key(key) if (key is not None or not isinstance(self.value, dict)) else None
        if isinstance(value, Marker):
            return value.name
        return self.confidence


@dataclass(frozen=True)
class Parameter:
    """A legal quantity with its dated values (ascending by start)."""

    path: str
    description: str
    label_en: str
    unit: ParameterUnit
    values: tuple[ParameterValue, ...]
    breakdown: str | None = None
    codes: str | None = None
    reference: str | None = None
    note: str | None = None
    source: str = ""

    @property
    def first(self) -> dt.date:
        return self.values[0].start

    def at(self, date: dt.date) -> ParameterValue:
        """The value in force on ``date``.

        Raises:
            ParameterNotDefinedError: ``date`` is before the first value.
        """
        found: ParameterValue | None = None
        for value in self.values:
            if value.start <= date:
                found = value
            else:
                break
        if found is None:
            raise ParameterNotDefinedError(self.path, [date], self.first)
        return found


@dataclass(frozen=True)
class Segment:
    """A date interval ``[start, end)`` of a batch in which the given parameters are constant."""

    start: dt.date | None
    end: dt.date | None
    values: tuple[ParameterValue, ...]


@dataclass(frozen=True)
class ParameterTree:
    """All parameters of a jurisdiction, by path."""

    jurisdiction: str
    parameters: Mapping[str, Parameter]
    code_lists: Mapping[str, CodeList] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, path: str) -> Parameter:
        try:
            return self.parameters[path]
        except KeyError:
            raise KeyError(f"no parameter {path!r} in {self.jurisdiction}") from None

    def __contains__(self, path: object) -> bool:
        return path in self.parameters

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.parameters.values())

    def segments(self, paths: Iterable[str], dates: list[dt.date]) -> list[Segment]:
        """Split the sorted unique ``dates`` of a batch into intervals of constant values.

        Adjacent intervals with equal values are merged, so a batch on one date (or on dates
        between two changes) gets a single segment and the planner can use literals.

        Raises:
            ParameterNotDefinedError: some date precedes a parameter's first value.
        """
        params = [self[p] for p in paths]
        for param in params:
            early = [d for d in dates if d < param.first]
            if early:
                raise ParameterNotDefinedError(param.path, early, param.first)
        if not dates:
            return []
        breaks = sorted(
            {v.start for p in params for v in p.values if dates[0] < v.start <= dates[-1]}
        )
        bounds: list[dt.date | None] = [None, *breaks, None]
        segments: list[Segment] = []
        for start, end in itertools.pairwise(bounds):
            inside = [
                d for d in dates if (start is None or d >= start) and (end is None or d < end)
            ]
            if not inside:
                continue
            values = tuple(p.at(inside[0]) for p in params)
            if segments and _same_values(segments[-1].values, values):
                segments[-1] = Segment(segments[-1].start, end, values)
            else:
                segments.append(Segment(start, end, values))
        return segments

    def with_overrides(self, overrides: Mapping[str, Any]) -> ParameterTree:
        """A copy where each ``path → value`` replaces the parameter's whole history.

        Values are written as in the files (yuan for money, ``{key: value}`` for breakdowns, or
        ``{date: value}`` for a dated series). Tests and what-if simulations use this; the
        replaced values carry confidence ``override`` so explanations show them.
        """
        params = dict(self.parameters)
        for path, raw in overrides.items():
            param = self[path]
            dated = _is_dated(raw)
            series = raw if dated else {dt.date(1, 1, 1): raw}
            values = []
            problems: list[str] = []
            for start, value in sorted(series.items()):
                # A single value has no date of its own: its message names none.
                where = f"override {path} {start}" if dated else f"override {path}"
                parsed = parse_value(param, value, where, problems, self.code_lists)
                values.append(ParameterValue(start, parsed, "override", OVERRIDE_CONFIDENCE))
            if problems:
                raise ParameterFileError(problems)
            params[path] = replace(param, values=tuple(values))
        return ParameterTree(self.jurisdiction, params, self.code_lists, self.metadata)

    def with_value(self, path: str, start: dt.date, value: Resolved) -> ParameterTree:
        """A copy where the value of ``path`` dated ``start`` is replaced by a resolved value
        (fen, Fraction, …), marked ``override``: used to probe which unknown value a decision
        rests on."""
        param = self[path]
        values = tuple(
            replace(v, value=value, confidence=OVERRIDE_CONFIDENCE, reference="probe")
            if v.start == start
            else v
            for v in param.values
        )
        params = {**self.parameters, path: replace(param, values=values)}
        return ParameterTree(self.jurisdiction, params, self.code_lists, self.metadata)

    @property
    def covers_from(self) -> dt.date:
        """The first date on which every parameter has a value: assessments start here."""
        return max(p.first for p in self.parameters.values())

    def digest(self) -> str:
        """SHA-256 over every value, reference and confidence: identifies a parameter version."""
        canonical = [
            [
                p.path,
                p.unit.key,
                p.breakdown,
                [
                    [v.start.isoformat(), _jsonable(v.value), v.reference, v.confidence]
                    for v in p.values
                ],
            ]
            for p in sorted(self.parameters.values(), key=lambda p: p.path)
        ]
        return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def _same_values(a: tuple[ParameterValue, ...], b: tuple[ParameterValue, ...]) -> bool:
    return all(x.value == y.value and x.start == y.start for x, y in zip(a, b, strict=True))


def _is_dated(raw: Any) -> bool:
    return isinstance(raw, dict) and bool(raw) and all(isinstance(k, dt.date) for k in raw)


def _jsonable(value: Resolved) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, Marker):
        return value.name
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return value


try:
    # libyaml's parser reads the policy files eight times faster than the pure-Python one; both
    # resolve and construct values with the same Python code.
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # a PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _DecimalLoader(_SafeLoader):
    """YAML loader that reads decimals exactly (1567.5 → Decimal, never a binary float)."""


def _construct_decimal(loader: _SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    return Decimal(text.replace("_", ""))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def jurisdictions() -> list[str]:
    """The parameter sets shipped with Jiuzhu (folders under ``jiuzhu/rules/policies``)."""
    base = resources.files("jiuzhu.rules") / "policies"
    return sorted(entry.name for entry in base.iterdir() if entry.is_dir() and entry.name[0] != "_")


def load_parameters(
    jurisdiction: str, code_lists: Mapping[str, CodeList], root: Traversable | None = None
) -> ParameterTree:
    """Load and schema-check every parameter file of a jurisdiction.

    Args:
        jurisdiction: folder name under ``jiuzhu/rules/policies`` (e.g. ``tianjin``).
        code_lists: the code lists a ``breakdown`` or ``codes`` field may name.
        root: another folder to read instead of the packaged one (tests).

    Raises:
        ParameterFileError: listing every problem of every file (file, date, field, rule).
        UnknownJurisdictionError: no parameter set of that name is shipped.
    """
    if root is None and jurisdiction not in jurisdictions():
        raise UnknownJurisdictionError(jurisdiction, jurisdictions())
    base = root if root is not None else resources.files("jiuzhu.rules") / "policies" / jurisdiction
    problems: list[str] = []
    params: dict[str, Parameter] = {}
    metadata: dict[str, Any] = {}
    for path, node in sorted(_yaml_files(base, ""), key=lambda item: item[0]):
        label = f"{jurisdiction}/{path}"
        try:
            data = yaml.load(node.read_text(encoding="utf-8"), Loader=_DecimalLoader)
        except yaml.YAMLError as exc:
            problems.append(f"{label}: not valid YAML ({exc})")
            continue
        if path == "index.yaml":
            metadata = data if isinstance(data, dict) else {}
            continue
        param = _parse_file(
            label, path[: -len(".yaml")].replace("/", "."), data, code_lists, problems
        )
        if param is not None:
            params[param.path] = param
    if problems:
        raise ParameterFileError(problems)
    return ParameterTree(jurisdiction, params, code_lists, metadata)


def _yaml_files(node: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for child in node.iterdir():
        name = prefix + child.name
        if child.is_dir() and (child / "index.yaml").is_file():
            # A folder with its own index.yaml is a tree of its own (the procedure's numbers,
            # read by ``jiuzhu.rules.procedure``, not by the rules' formulas): skipped here.
            continue
        if child.is_dir():
            yield from _yaml_files(child, name + "/")
        elif child.name.endswith(".yaml"):
            yield name, child


def _parse_file(
    label: str, path: str, data: Any, code_lists: Mapping[str, CodeList], problems: list[str]
) -> Parameter | None:
    """One parameter file: its description, unit and dated values (None, with ``problems``
    added, if anything in it breaks the schema)."""
    problems_before = len(problems)
    shell = _parse_description(label, path, data, code_lists, problems)
    if shell is None:
        return None
    raw_values: dict[Any, Any] = data["values"]
    keys = list(raw_values)
    if keys != sorted(keys, key=lambda k: (not isinstance(k, dt.date), str(k))):
        problems.append(f"{label}: dates under 'values' must be in ascending order")
    values: list[ParameterValue] = []
    for start, entry in raw_values.items():
        value = _parse_dated_value(shell, f"{label} {start}", start, entry, code_lists, problems)
        if value is not None:
            values.append(value)
    if len(problems) > problems_before:
        return None
    return replace(shell, values=tuple(values))


def _parse_description(
    label: str, path: str, data: Any, code_lists: Mapping[str, CodeList], problems: list[str]
) -> Parameter | None:
    """The parameter a file describes, without its values yet (None if it has no unit or no
    values to read)."""
    if not isinstance(data, dict):
        problems.append(f"{label}: the file must be a mapping with description, unit and values")
        return None
    for key in sorted(set(data) - _FILE_KEYS):
        problems.append(
            f"{label}: unknown field {key!r} (allowed: {', '.join(sorted(_FILE_KEYS))})"
        )
    for key in ("description", "label_en", "unit", "values"):
        if not data.get(key):
            problems.append(f"{label}: missing required field {key!r}")
    try:
        unit = ParameterUnit.from_key(str(data.get("unit")))
    except KeyError:
        allowed = ", ".join(u.key for u in ParameterUnit)
        problems.append(f"{label}: unit {data.get('unit')!r} is not one of {allowed}")
        return None
    breakdown = data.get("breakdown")
    if breakdown is not None and breakdown not in code_lists:
        problems.append(f"{label}: breakdown {breakdown!r} is not a known code list")
    codes = data.get("codes")
    if unit is ParameterUnit.CODE and codes not in code_lists:
        problems.append(f"{label}: unit 'code' needs 'codes:' naming a known code list")
    raw_values = data.get("values")
    if not isinstance(raw_values, dict) or not raw_values:
        problems.append(f"{label}: 'values' must map dates to values")
        return None
    return Parameter(
        path=path,
        description=str(data.get("description", "")),
        label_en=str(data.get("label_en", "")),
        unit=unit,
        values=(),
        breakdown=breakdown if breakdown in code_lists else None,
        codes=codes if codes in code_lists else None,
        reference=data.get("reference"),
        note=data.get("note"),
        source=label,
    )


def _parse_dated_value(
    shell: Parameter,
    where: str,
    start: Any,
    entry: Any,
    code_lists: Mapping[str, CodeList],
    problems: list[str],
) -> ParameterValue | None:
    """The value in force from ``start``, with its reference and confidence (None, with
    ``problems`` added, if it cannot be read at all)."""
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        problems.append(f"{where}: {start!r} is not a date (write YYYY-MM-DD)")
        return None
    if not isinstance(entry, dict):
        problems.append(f"{where}: a date with no value (write {{value: …, reference: …}})")
        return None
    for key in sorted(set(entry) - _VALUE_KEYS):
        problems.append(f"{where}: unknown field {key!r}")
    if "value" not in entry or entry["value"] is None:
        problems.append(f"{where}: a date with no value (use 'unknown' if no source was found)")
        return None
    parsed = parse_value(shell, entry["value"], where, problems, code_lists)
    reference = entry.get("reference")
    if not reference:
        problems.append(f"{where}: missing 'reference' (the source of this value)")
    confidence = entry.get("confidence")
    has_known = _has_known(parsed)
    if has_known and confidence not in CONFIDENCES:
        problems.append(
            f"{where}: 'confidence' must be one of {', '.join(CONFIDENCES)} (got {confidence!r})"
        )
    if not has_known and confidence is not None:
        problems.append(f"{where}: an unknown or not-applicable value takes no 'confidence'")
    published = entry.get("published")
    if published is not None and not isinstance(published, dt.date):
        problems.append(f"{where}: 'published' must be a date")
    return ParameterValue(
        start=start,
        value=parsed,
        reference=str(reference or ""),
        confidence=str(confidence) if has_known else _marker_name(parsed),
        href=entry.get("href"),
        published=published,
        note=entry.get("note"),
    )


def _has_known(value: Resolved) -> bool:
    if isinstance(value, dict):
        return any(not isinstance(v, Marker) for v in value.values())
    return not isinstance(value, Marker)


def _marker_name(value: Resolved) -> str:
    if isinstance(value, Marker):
        return value.name
    if isinstance(value, dict):
        names = {v.name for v in value.values() if isinstance(v, Marker)}
        return names.pop() if len(names) == 1 else UNKNOWN.name
    return UNKNOWN.name


def parse_value(
    param: Parameter,
    raw: Any,
    where: str,
    problems: list[str],
    code_lists: Mapping[str, CodeList] | None = None,
    partial: bool = False,
) -> Resolved:
    """A value of ``param`` written as in its file (yuan for money, ``{code: value}`` for a
    breakdown, a marker name) resolved to fen, ratios, …; each problem is appended to
    ``problems``, naming ``where``. ``partial``: a breakdown value may give only some codes."""
    if param.breakdown is not None:
        expected = set(code_lists[param.breakdown].identifiers) if code_lists else set()
        if not isinstance(raw, dict):
            # One value for every code of the breakdown (e.g. a unified urban/rural standard).
            scalar = _parse_scalar(param, raw, where, problems, code_lists)
            return dict.fromkeys(sorted(expected), scalar)
        missing = [] if partial else sorted(expected - set(raw))
        extra = sorted(set(map(str, raw)) - expected)
        if missing:
            problems.append(f"{where}: value lacks {param.breakdown} code(s) {', '.join(missing)}")
        if extra:
            problems.append(f"{where}: {', '.join(extra)} not code(s) of {param.breakdown}")
        return {
            str(k): _parse_scalar(param, v, f"{where} [{k}]", problems, code_lists)
            for k, v in raw.items()
        }
    return _parse_scalar(param, raw, where, problems, code_lists)


def _parse_scalar(
    param: Parameter,
    raw: Any,
    where: str,
    problems: list[str],
    code_lists: Mapping[str, CodeList] | None,
) -> Scalar | Marker:
    if isinstance(raw, str) and raw in MARKERS:
        return MARKERS[raw]
    unit = param.unit
    if unit is ParameterUnit.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        problems.append(f"{where}: {raw!r} is not true or false")
        return UNKNOWN
    if unit is ParameterUnit.CODE:
        allowed = code_lists[param.codes].identifiers if code_lists and param.codes else None
        if isinstance(raw, str) and (allowed is None or raw in allowed):
            return raw
        problems.append(f"{where}: {raw!r} is not a code of {param.codes}")
        return UNKNOWN
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | float):
        problems.append(f"{where}: {raw!r} is not a number")
        return UNKNOWN
    number = Decimal(str(raw))
    if number < 0:
        problems.append(f"{where}: {raw} is negative")
        return UNKNOWN
    if unit.money:
        try:
            return yuan_to_fen(number)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            return UNKNOWN
    if unit is ParameterUnit.RATIO:
        return Fraction(number)
    if unit in _WHOLE_UNITS:
        if number != number.to_integral_value():
            problems.append(f"{where}: {raw} is not a whole number of {unit.key}")
            return UNKNOWN
        return int(number)
    return float(number)
