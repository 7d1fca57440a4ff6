"""Targets in force and the RAG rating against them.

A target belongs to one contract and indicator and is in force from its
effective quarter until a later target replaces it: a change applies from its
quarter on and the history stays. When two targets take effect in the same
quarter the one recorded last wins (a correction).

RAG: green meets the target; amber misses it by no more than the tolerance;
red misses it by more. No target gives no RAG, and no data is never red.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.states import Rag

# Plain text in the engine's table (as its CSV and JSON export it); the one list is ``Rag``.
RAG_GREEN, RAG_AMBER, RAG_RED = Rag.GREEN.value, Rag.AMBER.value, Rag.RED.value
#: Slack for comparing fractions: 0.95 - 0.05 is 0.8999999999999999 in floating point.
_EPSILON = 1e-9

TARGET_COLUMNS = ["contract", "indicator", "value", "tolerance", "direction",
                  "effective_year", "effective_quarter", "created_at", "created_by"]


def empty_targets() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TARGET_COLUMNS})


def targets_in_force(keys: pd.DataFrame, targets: pd.DataFrame | None) -> pd.DataFrame:
    """For each row of ``keys`` (contract, indicator, period): the target in force then.

    Returns a frame aligned with ``keys`` (same index) with columns target,
    tolerance, direction (NaN / None where no target applies).
    """
    contract_code, contracts = pd.factorize(keys["contract"].astype(object))
    indicator_code, indicators = pd.factorize(keys["indicator"].astype(object))
    target, tolerance, direction = lookup_targets(
        targets, list(contracts), list(indicators), contract_code, indicator_code,
        keys["period"].to_numpy(dtype=np.int64))
    return pd.DataFrame({"target": target, "tolerance": tolerance,
                         "direction": pd.Series(direction, dtype=object, index=keys.index)},
                        index=keys.index)


def lookup_targets(targets: pd.DataFrame | None, contracts: list[str], indicators: list[str],
                   contract_code: np.ndarray, indicator_code: np.ndarray, period: np.ndarray,
                   better: list[str] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The target in force for rows given as integer codes into ``contracts`` and ``indicators``.

    Returns arrays target, tolerance (NaN without a target) and direction (object, None
    without a target). A target without a direction takes ``better`` of its indicator
    (one per ``indicators``). Integer keys keep this fast over hundreds of thousands of rows.
    """
    n = len(period)
    target = np.full(n, np.nan)
    tolerance = np.full(n, np.nan)
    direction = np.full(n, None, dtype=object)
    if targets is None or targets.empty or n == 0:
        return target, tolerance, direction

    contract_index = {c: i for i, c in enumerate(contracts)}
    indicator_index = {c: i for i, c in enumerate(indicators)}
    t = pd.DataFrame({
        "contract": targets["contract"].astype(object).map(contract_index),
        "indicator": targets["indicator"].astype(object).map(indicator_index),
        "period": (targets["effective_year"].astype("int64") * 4
                   + targets["effective_quarter"].astype("int64") - 1).to_numpy(),
        "order": pd.to_datetime(targets["created_at"], utc=True, errors="coerce")
        if "created_at" in targets.columns else pd.NaT,
        "row": np.arange(len(targets)),
        "target": pd.to_numeric(targets["value"], errors="coerce").astype(float).to_numpy(),
        "tolerance": pd.to_numeric(targets["tolerance"], errors="coerce").astype(float)
        .fillna(0.0).to_numpy(),
        "direction": targets["direction"].astype(object).to_numpy(),
    }).dropna(subset=["contract", "indicator"])
    if t.empty:
        return target, tolerance, direction
    if better is not None:
        default = np.asarray(better, dtype=object)[t["indicator"].astype(np.int64).to_numpy()]
        t["direction"] = np.where(pd.isna(t["direction"].to_numpy(dtype=object)), default,
                                  t["direction"].to_numpy(dtype=object))
    width = len(indicators)
    span = 1 << 20          # periods are below a million: key × span + period orders both
    t["key"] = t["contract"].astype(np.int64) * width + t["indicator"].astype(np.int64)
    # The newest of several targets with the same effective quarter wins.
    t = (t.sort_values(["key", "period", "order", "row"], na_position="first")
          .drop_duplicates(["key", "period"], keep="last"))
    t_key = t["key"].to_numpy(dtype=np.int64)
    t_sorted = t_key * span + t["period"].to_numpy(dtype=np.int64)
    row_key = contract_code.astype(np.int64) * width + indicator_code.astype(np.int64)
    # The last target taking effect at or before each row's period, for the same key.
    position = np.searchsorted(t_sorted, row_key * span + period.astype(np.int64), side="right") - 1
    found = (position >= 0) & (t_key[np.maximum(position, 0)] == row_key)
    pick = position[found]
    target[found] = t["target"].to_numpy(dtype=float)[pick]
    tolerance[found] = t["tolerance"].to_numpy(dtype=float)[pick]
    direction[found] = t["direction"].to_numpy(dtype=object)[pick]
    return target, tolerance, direction


def rag(value, target, tolerance, direction) -> np.ndarray:
    """Vectorised RAG: an object array of "green" / "amber" / "red" / None.

    ``direction`` is "higher" or "lower" per row (which way is better).
    """
    value = np.asarray(value, dtype=float)
    target = np.asarray(target, dtype=float)
    tolerance = np.nan_to_num(np.asarray(tolerance, dtype=float), nan=0.0)
    lower_better = np.asarray(direction, dtype=object) == "lower"
    # Shortfall: how far the value misses the target in the bad direction (<= 0 meets it).
    shortfall = np.where(lower_better, value - target, target - value)
    result = np.full(value.shape, None, dtype=object)
    known = ~np.isnan(value) & ~np.isnan(target)
    result[known & (shortfall <= _EPSILON)] = RAG_GREEN
    result[known & (shortfall > _EPSILON) & (shortfall <= tolerance + _EPSILON)] = RAG_AMBER
    result[known & (shortfall > tolerance + _EPSILON)] = RAG_RED
    return result


def shortfall(value: float, target: float, direction: str) -> float:
    """How far a value misses its target in the bad direction (negative: it beats it)."""
    return value - target if direction == "lower" else target - value
