"""Vectorised quarter arithmetic: dates of quarters and the days of them under contract.

``models.periods.Quarter`` does this for one quarter; the engine needs it for
whole columns at once, so these take and return numpy arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_EPOCH_YEAR = 1970


def quarter_bounds(year: np.ndarray, quarter: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day (``datetime64[D]``) of each financial-year quarter."""
    year = np.asarray(year, dtype=np.int64)
    quarter = np.asarray(quarter, dtype=np.int64)
    # Months since January 1970; the financial year starts in April (month 3, from 0).
    first_month = (year - _EPOCH_YEAR) * 12 + 3 + 3 * (quarter - 1)
    start = first_month.astype("datetime64[M]").astype("datetime64[D]")
    end = (first_month + 3).astype("datetime64[M]").astype("datetime64[D]") - np.timedelta64(1, "D")
    return start, end


def as_days(dates) -> np.ndarray:
    """A column of dates (``date``, ``Timestamp``, None) as ``datetime64[D]`` with NaT for none."""
    return pd.to_datetime(pd.Series(dates, dtype=object), errors="coerce").to_numpy(
        dtype="datetime64[D]")


def days_in_term(year, quarter, start_date, end_date) -> tuple[np.ndarray, np.ndarray]:
    """Days of each quarter, and the days of it within the contract term.

    A missing start or end date leaves that side of the quarter unbounded, so a
    contract without dates counts whole quarters.
    """
    q_start, q_end = quarter_bounds(year, quarter)
    start = np.asarray(start_date, dtype="datetime64[D]")
    end = np.asarray(end_date, dtype="datetime64[D]")
    first = np.where(np.isnat(start), q_start, np.maximum(q_start, start))
    last = np.where(np.isnat(end), q_end, np.minimum(q_end, end))
    days = (q_end - q_start).astype(np.int64) + 1
    within = np.clip((last - first).astype(np.int64) + 1, 0, None)
    return days, within
