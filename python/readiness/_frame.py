"""Hands a pandas DataFrame to the engine column by column, never row by row.

Id columns are dictionary-encoded with pandas' own C code (categorical codes as they are,
other columns through ``pandas.factorize``); only the distinct values are turned into text.
Scores go over as one float64 array, NaN meaning "not rated". Rows in errors are the
DataFrame's positional index.
"""

from __future__ import annotations

from typing import Any, List, Tuple

import numpy as np
import pandas as pd

_ID_COLUMNS = frozenset({"candidate", "rater", "group", "criterion", "cycle"})

Spec = List[Tuple[str, str, Any, Any]]


def _text_values(values: Any) -> list[str]:
    return [str(v) for v in values]


def _factor(series: pd.Series) -> tuple[str, str, Any, Any]:
    name = str(series.name)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = np.ascontiguousarray(series.cat.codes.to_numpy())
        return (name, "text", codes, _text_values(series.cat.categories))
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return (name, "text", np.ascontiguousarray(codes, dtype=np.int64), _text_values(uniques))


def _score(series: pd.Series) -> tuple[str, str, Any, Any]:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return ("score", "other", len(series), str(dtype))
    if pd.api.types.is_numeric_dtype(dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return ("score", "numbers", np.ascontiguousarray(values), None)
    if pd.api.types.is_string_dtype(dtype) or dtype == object or isinstance(
        dtype, pd.CategoricalDtype
    ):
        # Text scores ("4", "") are parsed by the engine, once per distinct value.
        return _factor(series.astype(object) if dtype == object else series)
    return ("score", "other", len(series), str(dtype))


def columns_of(frame: pd.DataFrame) -> Spec:
    """The column spec ``_native.assess_columns`` expects: ``(name, kind, a, b)``."""
    spec: Spec = []
    for name in frame.columns:
        series = frame[name]
        if not isinstance(series, pd.Series):
            # A duplicated column name: report it through the engine as a duplicate.
            series = series.iloc[:, 0]
        key = str(name)
        if key == "score":
            spec.append(_score(series))
        elif key in _ID_COLUMNS:
            dtype = series.dtype
            if (
                pd.api.types.is_bool_dtype(dtype)
                or pd.api.types.is_datetime64_any_dtype(dtype)
                or pd.api.types.is_timedelta64_dtype(dtype)
                or pd.api.types.is_float_dtype(dtype)
                or pd.api.types.is_complex_dtype(dtype)
            ):
                spec.append((key, "other", len(series), str(dtype)))
            else:
                spec.append(_factor(series.rename(key)))
        else:
            # `comment` and unknown columns: only the name matters to the engine.
            spec.append((key, "other", len(series), str(series.dtype)))
    return spec
