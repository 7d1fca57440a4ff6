"""Small-number suppression for packs shared outside the council.

Counts of 1 to 4 people could identify someone (a refuge has 28 rooms; a town
has few perpetrators on a programme), so a pack for outside readers shows them
as ``<5``, and hides (``[c]``) any other figure from which such a count could
be worked back. Zero is shown: it identifies no one.

The rules, all driven by the contract type's catalogue (an argument):

1. **Primary.** A measure that counts people (``catalogue.counts_people``) with
   a value from 1 to 4, on the quarter or the year-to-date basis, is ``<5``.
2. **Groups whose total is known.** Where parts add up to a total a reader can
   see, hiding one part is not enough: the total minus the others gives it
   back. The groups are the catalogue's ``sum_equals`` checks over people
   counts (children by age band add up to the children resident) and the ratio
   denominators that are sums of people counts (risk decreased + same +
   increased), whose total a percentage gives away. When a part of a group is
   hidden, further parts are hidden — the smallest non-zero first — until at
   least two are hidden and together they are not a small number either.
3. **Year to date.** A flow's year to date is the sum of its quarters, and the
   earlier quarters are on the charts: when any quarter of the year so far is
   hidden, the year to date is hidden too.
4. **Indicators.** An indicator is hidden on a basis when any people count it
   reads is hidden there: a percentage of a suppressed count, or over one,
   would give the count back. A change from the previous quarter is hidden
   when either end is.
5. **Differences.** Some people counts are part of another (:func:`relations`,
   from the catalogue): a check that parts are at most, or equal to, a whole
   (each part, or their sum), each step of a funnel at most the one before,
   and a ratio's numerator of its denominator ("5 of 8" leavers settled). The
   whole minus the part is then itself a count of people (the 3 leavers not
   settled). Wherever every figure of such a difference is shown and the
   difference is from 1 to 4, a further figure is hidden (a part, the smallest
   non-zero first; else the whole), and rules 2 and 5 are applied again until
   no shown difference is small. This covers every "x of y" the pack prints,
   every pair of shown counts of which one is part of the other, and every
   total minus the shown parts; a difference of two counts that are not part
   of one another (women resident and children resident) counts no one and is
   not a disclosure. Rules 3 and 4 then apply to what rule 5 hid.

Numbers that are not of people (unit-nights, days, money) are never hidden.
Free text (the provider's commentary) is reproduced as written: no rule can
find a count in prose reliably.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

import formats
from models.catalogue import Catalogue
from models.periods import Quarter

SMALLEST, LARGEST = 1, 4
#: How a hidden figure is shown: a small count, or a figure hidden to protect one.
SMALL = "<5"
HIDDEN = "[c]"
LEGEND = (f"{SMALL}: between 1 and 4 people. "
          f"{HIDDEN}: not shown, so that a number under 5 cannot be worked out from it, "
          "by adding up, by taking one figure from another of which it is part "
          "(\u201cx of y\u201d: the y \u2212 x people who are not x), or from a percentage.")



@dataclass(frozen=True)
class Group:
    """People counts that add up to a total a reader can see or work out."""

    parts: tuple[str, ...]
    #: The total when it is itself a measure (the children resident), else None
    #: (a ratio's denominator).
    total: str | None = None


def groups(catalogue: Catalogue) -> tuple[Group, ...]:
    """The catalogue's groups of people counts whose total is known."""
    people = catalogue.counts_people
    found: list[Group] = []
    for check in catalogue.checks:
        if check.rule != "sum_equals" or len(check.right) != 1:
            continue
        whole = check.right[0]
        if (whole.sign == 1 and not whole.times_days and not whole.previous
                and all(people(c) for c in check.left)):
            found.append(Group(tuple(check.left), whole.code))
    for indicator in catalogue.indicators:
        den = indicator.denominator
        if isinstance(den, tuple) and len(den) > 1 and all(people(c) for c in den):
            group = Group(tuple(den))
            if group.parts not in [g.parts for g in found]:
                found.append(group)
    return tuple(found)


@dataclass(frozen=True)
class Relation:
    """People counts of which ``parts`` are part of ``whole``: the whole minus the parts
    counts people too. ``disjoint``: the parts count different people (their sum, and
    the sum of any of them, is part of the whole); else each part on its own is."""

    parts: tuple[str, ...]
    whole: tuple[str, ...]
    disjoint: bool = True

    def subsets(self) -> list[tuple[str, ...]]:
        """The sets of parts whose sum is part of the whole."""
        if not self.disjoint:
            return [(p,) for p in self.parts]
        found = []
        for mask in range(1, 2 ** len(self.parts)):
            found.append(tuple(p for n, p in enumerate(self.parts) if mask >> n & 1))
        return found


def relations(catalogue: Catalogue) -> tuple[Relation, ...]:
    """Every "part of" between the catalogue's people counts (rule 5)."""
    people = catalogue.counts_people
    found: list[Relation] = []

    def add(relation: Relation) -> None:
        if (relation.parts and relation.whole and relation not in found
                and all(people(c) for c in relation.parts + relation.whole)
                and not set(relation.parts) & set(relation.whole)):
            found.append(relation)

    for check in catalogue.checks:
        if check.rule in ("each_at_most", "sum_at_most", "sum_equals"):
            if not all(t.sign == 1 and not t.times_days and not t.previous for t in check.right):
                continue
            whole = tuple(t.code for t in check.right)
            add(Relation(tuple(check.left), whole, disjoint=check.rule != "each_at_most"))
        elif check.rule == "funnel":
            for n, later in enumerate(check.left):
                for earlier in check.left[:n]:
                    add(Relation((later,), (earlier,)))
    for indicator in catalogue.indicators:
        den = indicator.denominator
        if indicator.is_ratio and isinstance(den, tuple):
            for basis in ("quarter", "ytd"):
                num = tuple(indicator.numerator_for(basis))
                if set(num) <= set(den):
                    continue        # parts of their own total: rule 2's groups
                add(Relation(num, tuple(den)))
    return tuple(found)


def is_small(value: formats.Figure) -> bool:
    """A count from 1 to 4 (a blank is not small: it is not reported)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return SMALLEST <= round(float(value)) <= LARGEST


def _primary(values: np.ndarray, people: np.ndarray) -> np.ndarray:
    """People counts (``people``: a mask of the columns) from 1 to 4."""
    rounded = np.round(values)
    with np.errstate(invalid="ignore"):
        return (rounded >= SMALLEST) & (rounded <= LARGEST) & people


def _secondary(values: np.ndarray, hidden: np.ndarray, found: tuple[Group, ...],
               column: dict[str, int]) -> np.ndarray:
    """Hide further parts of each group so that no hidden part can be worked back."""
    for group in found:
        parts = [column[c] for c in group.parts]
        for row in np.flatnonzero(hidden[:, parts].any(axis=1)):
            v = values[row]
            if np.isnan(v[parts]).any():
                continue  # a blank part: the sum cannot be used to work anything back
            while True:
                hidden_parts = [p for p in parts if hidden[row, p]]
                hidden_sum = float(v[hidden_parts].sum())
                if len(hidden_parts) >= 2 and not is_small(hidden_sum):
                    break
                shown = [p for p in parts if not hidden[row, p]]
                if not shown:
                    if group.total and is_small(hidden_sum):
                        hidden[row, column[group.total]] = True
                    break
                # The smallest non-zero part first: hiding a zero adds nothing to protect.
                pick = min(shown, key=lambda p: (v[p] == 0, v[p], p))
                hidden[row, pick] = True
    return hidden


def _differences(values: np.ndarray, hidden: np.ndarray, found: tuple[Relation, ...],
                 column: dict[str, int]) -> np.ndarray:
    """Rule 5 (see the module's notes) on one basis; ``hidden`` is changed and returned."""
    plan = [([column[c] for c in r.whole], [[column[c] for c in s] for s in r.subsets()])
            for r in found]
    changed = True
    while changed:
        changed = False
        for whole, subsets in plan:
            for row in range(values.shape[0]):
                v = values[row]
                if hidden[row, whole].any() or np.isnan(v[whole]).any():
                    continue
                for subset in subsets:
                    if hidden[row, subset].any() or np.isnan(v[subset]).any():
                        continue
                    if not is_small(v[whole].sum() - v[subset].sum()):
                        continue
                    nonzero = [p for p in subset if v[p] != 0]
                    pick = (min(nonzero, key=lambda p: (v[p], p)) if nonzero
                            else min(whole, key=lambda p: (v[p] == 0, v[p], p)))
                    hidden[row, pick] = True
                    changed = True
    return hidden


def _protect(values: np.ndarray, hidden: np.ndarray, column: dict[str, int],
             catalogue: Catalogue) -> np.ndarray:
    """Rules 2 and 5, again and again until neither hides anything more."""
    found_groups, found_relations = groups(catalogue), relations(catalogue)
    while True:
        before = hidden.copy()
        hidden = _secondary(values, hidden, found_groups, column)
        hidden = _differences(values, hidden, found_relations, column)
        if (hidden == before).all():
            return hidden


class Suppression:
    """Which figures of one contract are hidden, by measure or indicator, quarter and basis.

    ``measures``: one contract's current measure values (``indicators.data.load_measures``);
    ``catalogue``: the contract's type.
    """

    enabled = True

    def __init__(self, measures: pd.DataFrame, catalogue: Catalogue):
        self.catalogue = catalogue
        codes = [m.code for m in catalogue.measures]
        self._column = column = {code: n for n, code in enumerate(codes)}
        n = len(codes)
        self._row: dict[int, int] = {}
        self.small = {b: np.zeros((0, n), dtype=bool) for b in ("quarter", "ytd")}
        self.hidden = {b: np.zeros((0, n), dtype=bool) for b in ("quarter", "ytd")}
        if measures.empty:
            return
        if measures["contract"].nunique() > 1:
            raise ValueError("suppression works on one contract's measures at a time")
        frame = measures.assign(period=measures["year"] * 4 + measures["quarter"] - 1)
        wide = (frame.pivot_table(index="period", columns="code", values="value", aggfunc="first",
                                  dropna=False)
                .reindex(columns=codes).sort_index().astype(float))
        periods = wide.index.to_numpy()
        self._row = {int(p): i for i, p in enumerate(periods)}
        quarter = wide.to_numpy()
        years = periods // 4

        # Year to date by the catalogue's aggregation: flows sum (a blank makes the sum
        # unknown), stocks and ytd measures are the quarter's own value.
        ytd = quarter.copy()
        flows = np.array([column[m.code] for m in catalogue.measures if m.aggregation == "flow"],
                         dtype=np.intp)
        for year in np.unique(years):
            rows = np.flatnonzero(years == year)
            part = quarter[np.ix_(rows, flows)]
            sums = np.nancumsum(part, axis=0)
            blank = np.cumsum(np.isnan(part), axis=0) > 0
            ytd[np.ix_(rows, flows)] = np.where(blank, np.nan, sums)
        ytd[:, [column[m.code] for m in catalogue.measures if m.aggregation == "quarter"]] = np.nan

        people = np.array([catalogue.counts_people(code) for code in codes], dtype=bool)
        small = {"quarter": _primary(quarter, people), "ytd": _primary(ytd, people)}
        hidden_quarter = _protect(quarter, small["quarter"].copy(), column, catalogue)
        # A flow's year to date gives back any hidden quarter of the year so far.
        hidden_ytd = small["ytd"] | hidden_quarter
        flow_people = np.array([column[m.code] for m in catalogue.measures
                                if m.aggregation == "flow" and catalogue.counts_people(m.code)],
                               dtype=np.intp)
        for year in np.unique(years):
            rows = np.flatnonzero(years == year)
            carried = np.logical_or.accumulate(hidden_quarter[np.ix_(rows, flow_people)], axis=0)
            hidden_ytd[np.ix_(rows, flow_people)] |= carried
        # The year to date's own sums may differ by a small number too.
        hidden_ytd = _protect(ytd, hidden_ytd, column, catalogue)
        self.small = small
        self.hidden = {"quarter": hidden_quarter, "ytd": hidden_ytd}

    # --- questions the writers ask ---------------------------------------------------

    def _flag(self, table: dict[str, np.ndarray], code: str, quarter: Quarter, basis: str) -> bool:
        row = self._row.get(quarter.index)
        if row is None:
            return False
        return bool(table[basis][row, self._column[code]])

    def measure(self, code: str, quarter: Quarter, basis: str = "quarter") -> str | None:
        """``"<5"`` or ``"[c]"`` when the measure is hidden in that quarter, else None."""
        if self._flag(self.small, code, quarter, basis):
            return SMALL
        if self._flag(self.hidden, code, quarter, basis):
            return HIDDEN
        return None

    def indicator(self, code: str, quarter: Quarter, basis: str) -> str | None:
        """``"<5"`` for a count of people from 1 to 4, ``"[c]"`` for a figure hidden to protect one."""
        indicator = self.catalogue.indicators_by_code[code]
        reads = list(indicator.numerator_for(basis))
        if isinstance(indicator.denominator, tuple):
            reads += list(indicator.denominator)
        reads = [c for c in reads if self.catalogue.counts_people(c)]
        if not indicator.is_ratio and indicator.unit == "people" and len(reads) == 1:
            return self.measure(reads[0], quarter, basis)
        if any(self._flag(self.hidden, c, quarter, basis) for c in reads):
            return HIDDEN
        return None

    def change(self, code: str, quarter: Quarter, earlier: Quarter, basis: str) -> bool:
        """True when a change between two quarters must be hidden (either end is hidden)."""
        return (self.indicator(code, quarter, basis) is not None
                or self.indicator(code, earlier, basis) is not None)


class NoSuppression:
    """Everything shown: the council's own pack."""

    enabled = False

    def measure(self, code: str, quarter: Quarter, basis: str = "quarter") -> str | None:
        return None

    def indicator(self, code: str, quarter: Quarter, basis: str) -> str | None:
        return None

    def change(self, code: str, quarter: Quarter, earlier: Quarter, basis: str) -> bool:
        return False


def suppression_for(measures: pd.DataFrame, catalogue: Catalogue,
                    enabled: bool = True) -> Suppression | NoSuppression:
    return Suppression(measures, catalogue) if enabled else NoSuppression()
