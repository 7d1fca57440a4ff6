"""Contract types as data: reading and validating a type file into a :class:`Catalogue`.

A contract type is one TOML file in ``contract_types/`` (``settings.CONTRACT_TYPES_DIR``),
written by a council's performance officer (``docs/contract-types.md``). It is
validated as a whole when loaded: a mistake raises :class:`ContractTypeError`
naming the file, the entry and what is wrong, and no half-loaded type is ever
returned. ``python -m models check-type FILE`` runs the same validation.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

import settings
from models.catalogue import (
    COMMENTARY,
    CONTRACT_VALUE,
    COVER,
    Block,
    Capacity,
    Catalogue,
    Check,
    Indicator,
    Measure,
    Page,
    Parameter,
    Service,
    Term,
)


class ContractTypeError(ValueError):
    """A type file that cannot be used; the message names the file, the entry and the fault.

    ``problems`` holds each fault on its own (the message joins them with "; ").
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems) or (message,)


# --- the file's shape ------------------------------------------------------------------

Code = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$", max_length=30)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Service(_Strict):
    name: Text
    description: str = ""


class _Parameter(_Strict):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=50)]
    label: Text
    help: str = ""


class _Outliers(_Strict):
    factor: float = Field(default=3.0, gt=1)
    quarters: int = Field(default=4, ge=1, le=12)
    floor: float = Field(default=10, ge=0)


class _Measure(_Strict):
    code: Code
    sheet: Text
    label: Text
    type: Literal["count", "money"] = "count"
    aggregation: Literal["flow", "stock", "ytd", "quarter"] = "flow"
    counts_people: bool = True
    from_version: int = Field(1, ge=1)
    until_version: int | None = Field(None, ge=1)


class _Check(_Strict):
    code: Code
    rule: Literal["each_at_most", "sum_at_most", "sum_equals", "funnel", "never_falls",
                  "equals_parameter"]
    parts: list[Code] = Field(min_length=1)
    whole: list[str] = []
    parameter: str | None = None
    advice: Text = "Check the figures and correct them."


class _Capacity(_Strict):
    units: Code
    less: list[Code] = []


class _Indicator(_Strict):
    code: Code
    service: Text
    label: Text
    short: str = ""
    numerator: list[Code] = Field(min_length=1)
    ytd_numerator: list[Code] | None = None
    denominator: list[Code] | Literal["contract_value"] | _Capacity | None = None
    unit: Literal["people", "%", "days"]
    better: Literal["higher", "lower"]
    target: float | None = None
    tolerance: float | None = Field(None, ge=0)
    show_months: bool = False


class _KeyFigures(_Strict):
    group: Text
    figures: list[Code] = Field(min_length=1)


class _Block(_Strict):
    kind: Literal["header", "note", "trend", "trends_together", "service_trends", "stacked_bars",
                  "outcomes", "funnel", "spend"]
    text: str = ""
    title: str | None = None
    indicator: Code | None = None
    indicators: list[Code] = []
    service: str | None = None
    measures: list[Code] = []
    names: list[str] = []
    total: Code | None = None
    total_name: str = ""
    beside: Code | None = None
    beside_name: str = ""
    y_title: str = "People"
    side_by_side: bool = False
    colours: Literal["good_neutral_bad", "bands"] | None = None
    basis: Literal["quarter", "ytd"] | None = None
    in_months: bool = False
    collapsed: bool = False


class _Page(_Strict):
    title: Text
    icon: Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")] = "bar_chart"
    blocks: list[_Block] = Field(min_length=1)


class _TypeFile(_Strict):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=50)]
    title: Text
    description: str = ""
    versions: list[int] = Field([1], min_length=1)
    sheets: list[Text] = Field(min_length=1)
    commentary_topics: list[Text] = Field(min_length=1)
    services: list[_Service] = Field(min_length=1)
    parameters: list[_Parameter] = []
    outliers: _Outliers = _Outliers()
    measures: list[_Measure] = Field(min_length=1)
    checks: list[_Check] = []
    indicators: list[_Indicator] = []
    key_figures: list[_KeyFigures] = []
    pages: list[_Page] = []


# --- loading --------------------------------------------------------------------------

_TERM = re.compile(r"^\s*(?P<sign>[-−]\s*)?(?P<previous>previous\s+)?(?P<code>[A-Z][A-Z0-9]*)"
                   r"(?P<days>\s*[*×]\s*days)?\s*$")


#: At most this many faults are listed: past that, they are usually one mistake repeated.
_MOST_PROBLEMS = 10


def load_type(path: str | Path) -> Catalogue:
    """Read and validate one type file; :class:`ContractTypeError` on any mistake."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContractTypeError(f"{path.name}: there is no such file ({path}).") from None
    except OSError as exc:
        raise ContractTypeError(f"{path.name}: cannot be read ({exc.strerror or exc}).") from None
    except UnicodeDecodeError:
        raise ContractTypeError(f"{path.name}: is not a text file in UTF-8; save it as UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContractTypeError(
            f"{path.name}: is not valid TOML: {exc}. Look for a missing quote, bracket or '=' on that "
            "line or the one before it.") from None
    try:
        data = _TypeFile.model_validate(raw)
    except ValidationError as exc:
        _refuse(path, list(dict.fromkeys(_describe(raw, error) for error in exc.errors())))
    _refuse(path, _contradictions(data))
    return _catalogue(data, path)


def check_type_file(path: str | Path) -> Catalogue:
    """:func:`load_type`, and the file must be named after its type, as in the types folder."""
    path = Path(path)
    catalogue = load_type(path)
    if catalogue.name != path.stem:
        _refuse(path, [_name_problem(catalogue.name, path)])
    return catalogue


def _name_problem(name: str, path: Path) -> str:
    return (f"name {name!r} must be the file's name without .toml ({path.stem!r}); rename the file "
            f"to {name}.toml or change the name")


def _refuse(path: Path, problems: list[str]) -> None:
    """Raise the faults of one file, if any, as one :class:`ContractTypeError`."""
    if not problems:
        return
    shown = problems[:_MOST_PROBLEMS]
    if len(problems) > _MOST_PROBLEMS:
        shown.append(f"and {len(problems) - _MOST_PROBLEMS} more")
    raise ContractTypeError(f"{path.name}: " + "; ".join(shown),
                            tuple(f"{path.name}: {problem}" for problem in shown))


# --- faults in words --------------------------------------------------------------------

#: What one entry of each list is called in a message, and the setting that names it.
_ENTRIES = {
    "services": ("service", "name"), "parameters": ("parameter", "key"), "measures": ("measure", "code"),
    "checks": ("check", "code"), "indicators": ("indicator", "code"), "key_figures": ("key figures", "group"),
    "pages": ("page", "title"), "blocks": ("block", "kind"),
}
#: Pydantic's names for the alternatives of a setting that may take several forms.
_ALTERNATIVES = {"list[constrained-str]", "literal['contract_value']", "_Capacity", "str", "int",
                 "list[int]", "float", "bool", "none"}
_DENOMINATOR = ('a list of measure codes such as ["OS04"], "contract_value", or '
                '{ units = "RF01", less = ["RF03"] }')


def _settings() -> set[str]:
    """Every setting any entry of a type file may have, for suggesting the one meant by a typo."""
    models: list[type[BaseModel]] = [_TypeFile, _Service, _Parameter, _Outliers, _Measure, _Check, _Capacity,
                                     _Indicator, _KeyFigures, _Block, _Page]
    return {name for model in models for name in model.model_fields}


def _describe(raw: dict, error: ErrorDetails) -> str:
    """One validation error as ``measure HV02 ([[measures]] entry 2): label is required but missing``."""
    entry: list[str] = []
    setting: list[str] = []
    node: object = raw    # the part of the file the error's location has reached so far
    loc = [key for key in error["loc"] if key not in _ALTERNATIVES]
    for index, key in enumerate(loc):
        if isinstance(key, int):
            parent = loc[index - 1] if index else None
            node = node[key] if isinstance(node, list) and key < len(node) else None
            if isinstance(parent, str) and parent in _ENTRIES and not setting[1:]:
                what, naming = _ENTRIES[parent]
                name = node.get(naming) if isinstance(node, dict) else None
                setting.pop()
                if parent == "blocks":
                    entry.append(f"block {key + 1}" + (f" ({name})" if isinstance(name, str) else ""))
                else:
                    entry.append(f"{what} {name} ([[{parent}]] entry {key + 1})" if isinstance(name, str)
                                 else f"[[{parent}]] entry {key + 1}")
            else:
                setting.append(f"item {key + 1}")
        else:
            node = node.get(key) if isinstance(node, dict) else None
            setting.append(str(key))
    where = ", ".join(entry)
    name = " ".join(setting)
    fault = _fault(error, name, loc[-1] if loc else None)
    return f"{where}: {fault}" if where else fault


def _fault(error: ErrorDetails, setting: str, last) -> str:
    kind, given = error["type"], error.get("input")
    field = setting or "the file"
    if kind == "missing":
        return f"{field} is required but missing"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(last), sorted(_settings()), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else " (check its spelling)"
        return f"{str(last)!r} is not a known setting{hint}"
    if "denominator" in setting and kind in {"list_type", "literal_error", "model_type", "string_type"}:
        return f"denominator {_as_written(given)} is not one; write {_DENOMINATOR}"
    if kind == "literal_error":
        expected = error["ctx"]["expected"].replace("'", '"')
        return f"{field} is {_as_written(given)} but must be {expected}"
    if kind == "string_pattern_mismatch":
        if setting == "name":
            return f"name {_as_written(given)} must be small letters, digits and '-' (for example domestic-abuse)"
        if setting.startswith("key") or " key" in setting:
            return (f"{field} {_as_written(given)} must be small letters, digits and '_' "
                    "(for example refuge_capacity)")
        if setting.startswith("icon"):
            return (f"icon {_as_written(given)} must be a Material icon's name in small letters and '_' "
                    "(for example home)")
        return (f"{field} {_as_written(given)} is not a valid code (capital letters and digits, parts joined "
                "by '-', for example OS04 or OS-RESP24)")
    plain = {
        "string_type": "must be text in double quotes",
        "int_type": "must be a whole number", "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_type": "must be a number", "float_parsing": "must be a number",
        "bool_type": "must be true or false", "bool_parsing": "must be true or false",
        "list_type": "must be a list in square brackets, its items separated by commas",
        "model_type": "must be a group of settings", "dict_type": "must be a group of settings",
    }
    if kind in plain:
        return f"{field} {plain[kind]} (it is {_as_written(given)})"
    if kind == "too_short":
        return f"{field} must have at least {error['ctx']['min_length']} (it is {_as_written(given)})"
    message = error["msg"]
    return f"{field}: {message[0].lower()}{message[1:]} (it is {_as_written(given)})"


def _as_written(value) -> str:
    """A value as it would be written in the file: true, "text", [1, 2]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_as_written(v) for v in value) + "]"
    if isinstance(value, dict):
        return "a group of settings"
    return str(value)

def _contradictions(data: _TypeFile) -> list[str]:
    """What the schema cannot see: codes that do not exist, sheets not listed, versions not declared."""
    problems: list[str] = []
    measures = {m.code: m for m in data.measures}
    indicator_codes = [i.code for i in data.indicators]
    services = [s.name for s in data.services]
    parameters = {p.key for p in data.parameters}
    versions = set(data.versions)

    def duplicates(codes: list[str], what: str) -> None:
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                problems.append(f"{what} {code}: appears twice; every code must be unique")
            seen.add(code)

    duplicates([m.code for m in data.measures], "measure")
    duplicates(indicator_codes, "indicator")
    duplicates([c.code for c in data.checks], "check")

    def repeated(names: list[str], what: str) -> None:
        # Names find sheets, services and pages: two alike would make one of them unreachable.
        seen: set[str] = set()
        for name in names:
            if name.casefold() in seen:
                problems.append(f"{what}: {name!r} appears twice; each must be different")
            seen.add(name.casefold())

    repeated(list(data.sheets), "sheets")
    repeated(list(data.commentary_topics), "commentary_topics")
    repeated([s.name for s in data.services], "services")
    repeated([p.key for p in data.parameters], "parameters")
    repeated([_slug(p.title) for p in data.pages], "pages (titles)")
    if set(measures) & set(indicator_codes):
        both = sorted(set(measures) & set(indicator_codes))
        problems.append(f"codes used for both a measure and an indicator: {both}")
    for reserved in (COVER, COMMENTARY):
        if reserved.casefold() in {s.casefold() for s in data.sheets}:
            problems.append(f"sheets: {reserved!r} is a sheet every workbook has already; do not list it")
    if len(versions) != len(data.versions) or sorted(versions) != list(range(1, max(versions) + 1)):
        problems.append(f"versions: {data.versions} must be 1, 2, 3… with none left out")

    def known(code: str, where: str) -> None:
        if code not in measures:
            problems.append(f"{where}: {code} is not one of the measures in this file")

    for m in data.measures:
        if m.sheet not in data.sheets:
            problems.append(f"measure {m.code}: sheet {m.sheet!r} is not in sheets {data.sheets}; "
                            "add it to sheets or correct the measure's sheet")
        for setting, version in (("from_version", m.from_version), ("until_version", m.until_version)):
            if version is not None and version not in versions:
                problems.append(f"measure {m.code}: {setting} {version} is not one of the versions "
                                f"{data.versions}; declare it in versions or correct {setting}")
        if m.until_version is not None and m.until_version < m.from_version:
            problems.append(f"measure {m.code}: until_version is before from_version")
    for c in data.checks:
        for code in c.parts:
            known(code, f"check {c.code}, parts")
        if c.rule in {"each_at_most", "sum_at_most", "sum_equals"}:
            if not c.whole:
                problems.append(f"check {c.code}: rule {c.rule} needs a whole to compare the parts with")
            for term in c.whole:
                match = _TERM.match(term)
                if match is None:
                    problems.append(f"check {c.code}, whole: {term!r} is not a term "
                                    "(write CODE, - CODE, CODE * days or previous CODE)")
                else:
                    known(match["code"], f"check {c.code}, whole")
        elif c.whole:
            problems.append(f"check {c.code}: rule {c.rule} takes no whole")
        if c.rule == "equals_parameter" and c.parameter not in parameters:
            problems.append(f"check {c.code}: parameter {c.parameter!r} is not one of the parameters "
                            f"{sorted(parameters)}")
        if c.rule == "funnel" and len(c.parts) < 2:
            problems.append(f"check {c.code}: a funnel needs at least two stages")
    for i in data.indicators:
        for code in i.numerator + (i.ytd_numerator or []):
            known(code, f"indicator {i.code}, numerator")
        if isinstance(i.denominator, list):
            for code in i.denominator:
                known(code, f"indicator {i.code}, denominator")
        elif isinstance(i.denominator, _Capacity):
            for code in [i.denominator.units, *i.denominator.less]:
                known(code, f"indicator {i.code}, denominator")
        if i.denominator is None and i.unit != "people":
            problems.append(f"indicator {i.code}: a plain count (no denominator) must have unit 'people'")
        if i.denominator is not None and i.unit == "people":
            problems.append(f"indicator {i.code}: a ratio (with a denominator) has unit '%' or 'days'")
        if (i.target is None) != (i.tolerance is None):
            given, missing = ("target", "tolerance") if i.tolerance is None else ("tolerance", "target")
            problems.append(f"indicator {i.code}: has a {given} but no {missing}; give both (the tolerance "
                            "is how far from the target is still amber) or neither")
        if i.target is not None and i.target < 0:
            problems.append(f"indicator {i.code}: target cannot be negative")
    for k in data.key_figures:
        for code in k.figures:
            if code not in measures and code not in indicator_codes:
                problems.append(f"key figures {k.group}: {code} is neither a measure nor an indicator")
    for page in data.pages:
        for number, block in enumerate(page.blocks, start=1):
            problems += _block_problems(f"page {page.title}, block {number} ({block.kind})", block,
                                        measures, {i.code: i for i in data.indicators},
                                        services + [i.service for i in data.indicators])
    return problems


_NEEDS = {
    "header": ("text",), "note": ("text",), "trend": ("indicator",), "trends_together": ("indicators",),
    "service_trends": ("service",), "stacked_bars": ("measures", "title"),
    "outcomes": ("measures", "total", "total_name", "title"), "funnel": ("measures", "title"),
    "spend": ("indicator",),
}


def _block_problems(where: str, block: _Block, measures: dict, indicators: dict[str, _Indicator],
                    services: list[str]) -> list[str]:
    problems = [f"{where}: needs {name}" for name in _NEEDS[block.kind] if not getattr(block, name)]
    for code in [block.indicator, *block.indicators]:
        if code is not None and code not in indicators:
            problems.append(f"{where}: {code} is not one of the indicators in this file")
    for code in [*block.measures, block.total, block.beside]:
        if code is not None and code not in measures:
            problems.append(f"{where}: {code} is not one of the measures in this file")
    if block.kind == "spend" and block.indicator in indicators:
        if block.names and len(block.names) != len(indicators[block.indicator].numerator):
            problems.append(f"{where}: names has {len(block.names)} entries for the "
                            f"{len(indicators[block.indicator].numerator)} measures of {block.indicator}")
    elif block.names and len(block.names) != len(block.measures):
        problems.append(f"{where}: names has {len(block.names)} entries for {len(block.measures)} measures")
    if block.service is not None and block.service not in services:
        problems.append(f"{where}: {block.service!r} is not one of the services")
    if block.collapsed and block.kind != "header":
        problems.append(f"{where}: collapsed is for a header (its section is then drawn when opened)")
    return problems


def _term(text: str) -> Term:
    match = _TERM.match(text)
    if match is None:  # _contradictions reports it first; never reached with a checked file
        raise ContractTypeError(f"{text!r} is not a term (write CODE, - CODE, CODE * days or previous CODE)")
    return Term(match["code"], sign=-1 if match["sign"] else 1, times_days=bool(match["days"]),
                previous=bool(match["previous"]))


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")


def _catalogue(data: _TypeFile, path: Path | None) -> Catalogue:
    def denominator(i: _Indicator):
        if isinstance(i.denominator, list):
            return tuple(i.denominator)
        if isinstance(i.denominator, _Capacity):
            return Capacity(i.denominator.units, tuple(i.denominator.less))
        return CONTRACT_VALUE if i.denominator == "contract_value" else None

    def scaled(i: _Indicator, value: float | None) -> float | None:
        # Percentages are written in points in the file and held as fractions of 1.
        return None if value is None else (value / 100 if i.unit == "%" else value)

    measures = tuple(Measure(m.code, m.sheet, m.label, m.type, m.aggregation, m.counts_people,
                             m.from_version, m.until_version) for m in data.measures)
    by_code = {m.code: m for m in measures}

    numerators = {i.code: tuple(i.numerator) for i in data.indicators}

    def block(b: _Block) -> Block:
        # A spend block draws the money measures its indicator adds up.
        codes = numerators[b.indicator] if b.kind == "spend" and b.indicator else tuple(b.measures)
        names = tuple(b.names) or tuple(by_code[c].label for c in codes)
        beside_name = b.beside_name or (by_code[b.beside].label if b.beside else "")
        return Block(b.kind, b.text, b.title, b.indicator, tuple(b.indicators), b.service,
                     codes, names, b.total, b.total_name, b.beside, beside_name, b.y_title,
                     b.side_by_side, b.colours, b.basis, b.in_months, b.collapsed)

    return Catalogue(
        name=data.name, title=data.title, description=data.description,
        versions=tuple(sorted(data.versions)), sheets=tuple(data.sheets),
        services=tuple(Service(s.name, s.description) for s in data.services),
        commentary_topics=tuple(data.commentary_topics),
        parameters=tuple(Parameter(p.key, p.label, p.help) for p in data.parameters),
        measures=measures,
        checks=tuple(Check(c.code, tuple(c.parts), tuple(_term(t) for t in c.whole), c.rule, c.advice,
                           c.parameter) for c in data.checks),
        indicators=tuple(Indicator(i.code, i.service, i.label, tuple(i.numerator), denominator(i), i.unit,
                                   i.better, scaled(i, i.target), scaled(i, i.tolerance),
                                   tuple(i.ytd_numerator) if i.ytd_numerator else None,
                                   i.short or i.label, i.show_months)
                         for i in data.indicators),
        key_figures=tuple((k.group, tuple(k.figures)) for k in data.key_figures),
        pages=tuple(Page(p.title, _slug(p.title), f":material/{p.icon}:", tuple(block(b) for b in p.blocks))
                    for p in data.pages),
        outlier_factor=data.outliers.factor, outlier_quarters=data.outliers.quarters,
        outlier_floor=data.outliers.floor, path=path,
    )


# --- the folder of types ------------------------------------------------------------


def types_folder() -> Path:
    return Path(settings.CONTRACT_TYPES_DIR)


def load_types(folder: str | Path | None = None) -> dict[str, Catalogue]:
    """Every type in a folder by name; the first faulty file raises :class:`ContractTypeError`."""
    place = os.fspath(folder if folder is not None else settings.CONTRACT_TYPES_DIR)
    return dict(_load_types(place, _type_files(place)))


#: What a type file's name ends with (``Path.glob("*.toml")`` finds the same names).
TYPE_FILE_SUFFIX = ".toml"


def _type_files(folder: str) -> tuple[tuple[str, int], ...]:
    """Each type file's name and modification time, by name: read on every call (every upload
    asks for its type), so an edited, added or removed file is noticed at once. One directory
    listing and a stat of each file, without ``Path`` objects: a quarter of the time of
    ``Path.glob`` and ``Path.stat``."""
    try:
        with os.scandir(folder) as listing:
            entries = [entry for entry in listing if entry.name.endswith(TYPE_FILE_SUFFIX)]
    except (FileNotFoundError, NotADirectoryError):
        return ()       # no such folder: no types (as ``Path.glob`` finds none)
    stamps = []
    for entry in entries:
        try:
            stamps.append((entry.name, entry.stat().st_mtime_ns))
        except OSError as exc:      # a link to a file that is gone, say: say which
            raise ContractTypeError(f"{entry.name}: cannot be read ({exc.strerror})") from exc
    return tuple(sorted(stamps))


@lru_cache(maxsize=8)
def _load_types(folder: str, files: tuple[tuple[str, int], ...]) -> tuple[tuple[str, Catalogue], ...]:
    types: dict[str, Catalogue] = {}
    paths: dict[str, Path] = {}
    for path in (Path(folder) / name for name, _ in files):
        catalogue = load_type(path)
        if catalogue.name in types:
            raise ContractTypeError(f"{path.name}: name {catalogue.name!r} is also the name of "
                                    f"{paths[catalogue.name].name}; each type needs its own name")
        if catalogue.name != path.stem:
            _refuse(path, [_name_problem(catalogue.name, path)])
        types[catalogue.name] = catalogue
        paths[catalogue.name] = path
    return tuple(types.items())


def get_type(name: str, folder: str | Path | None = None) -> Catalogue:
    """One type by name; :class:`ContractTypeError` when no file holds it."""
    types = load_types(folder)
    if name not in types:
        raise ContractTypeError(f"There is no contract type {name!r}; the types are "
                                f"{', '.join(sorted(types)) or 'none'} (files in {folder or types_folder()}).")
    return types[name]
