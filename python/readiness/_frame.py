"""Hands a pandas DataFrame to the engine column by column, never row by row.

Id columns go over dictionary-encoded: categorical codes as they are (with the categories
read in place from Arrow's buffers when pyarrow backs them), pyarrow-backed string columns as
their Arrow buffers (encoded in one pass by the binding, without a Python ``str`` per value),
any other column through ``pandas.factorize``, whose distinct values are turned into text.
Scores go over as one float64 array, NaN meaning "not rated". Rows in errors are the
DataFrame's positional index.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import numpy as np
import pandas as pd

_ID_COLUMNS = frozenset({"candidate", "rater", "group", "criterion", "cycle"})

Spec = List[Tuple[str, str, Any, Any]]


def _text_values(values: Any) -> list[str]:
    return [str(v) for v in values]


def _arrow_chunks(array: Any) -> Optional[List[Tuple[Any, Any, Any, int, int]]]:
    """The chunks of a pyarrow-backed string array as numpy views of their buffers
    ``(offsets, data, validity, offset, length)`` (no copy, no Python ``str``), or None when
    the array is not one."""
    dtype = getattr(array, "dtype", None)
    arrow_backed = (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or (
        type(dtype).__name__ == "ArrowDtype"
    )
    if not arrow_backed or not hasattr(array, "__arrow_array__"):
        return None
    import pyarrow as pa  # type: ignore[import-untyped, import-not-found, unused-ignore]

    data = array.__arrow_array__()
    chunks = data.chunks if isinstance(data, pa.ChunkedArray) else [data]
    out = []
    for chunk in chunks:
        if chunk.type == pa.large_string():
            width: Any = np.int64
        elif chunk.type == pa.string():
            width = np.int32
        else:
            return None
        validity, offsets, values = chunk.buffers()
        out.append(
            (
                np.frombuffer(offsets, dtype=width),
                np.frombuffer(values, dtype=np.uint8)
                if values is not None
                else np.zeros(0, dtype=np.uint8),
                np.frombuffer(validity, dtype=np.uint8) if validity is not None else None,
                chunk.offset,
                len(chunk),
            )
        )
    return out


def _factor(series: pd.Series) -> tuple[str, str, Any, Any]:
    name = str(series.name)
    if isinstance(series.dtype, pd.CategoricalDtype):
        # `Categorical.codes` is a view of the codes; `Series.cat.codes` would copy them.
        codes = np.ascontiguousarray(series.array.codes)
        categories = series.cat.categories
        chunks = _arrow_chunks(categories.array)
        if chunks is not None and len(chunks) == 1:
            # The category strings are read in place from Arrow's buffers.
            return (name, "text_arrow", codes, chunks[0])
        return (name, "text", codes, _text_values(categories))
    chunks = _arrow_chunks(series.array)
    if chunks is not None:
        # One string per row: the engine's binding dictionary-encodes them in one pass.
        return (name, "strings_arrow", chunks, None)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return (name, "text", np.ascontiguousarray(codes, dtype=np.int64), _text_values(uniques))


def _score(series: pd.Series) -> tuple[str, str, Any, Any]:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return ("score", "other", len(series), str(dtype))
    if dtype == np.float64:
        # Already float64 with NaN for missing: the array itself, not a copy.
        return ("score", "numbers", np.ascontiguousarray(series.to_numpy()), None)
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
