"""``rd.assess`` and the ``Assessments`` it returns."""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

import pandas as pd

from . import _native
from ._html import assessments_html

Document = Dict[str, Any]
Ratings = Union[pd.DataFrame, List[Dict[str, Any]], str, "os.PathLike[str]"]


class Assessments:
    """Assessment documents, one per candidate (or candidate and cycle), sorted by candidate.

    ``len(res)``, ``iter(res)`` (the documents as dicts), ``res["e-1042"]`` (a candidate's
    document; ``res["e-1042", "2026-Q1"]`` with cycles), ``res[0]`` (by position).
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeAssessments) -> None:
        self._native = native

    def __len__(self) -> int:
        return len(self._native)

    def __iter__(self) -> Iterator[Document]:
        for i in range(len(self._native)):
            yield self._native.document(i)

    def __getitem__(self, key: Union[int, str, Tuple[str, Optional[str]]]) -> Document:
        if isinstance(key, int):
            n = len(self._native)
            if not -n <= key < n:
                raise IndexError(f"assessment index {key} out of range for {n} assessments")
            return self._native.document(key % n)
        keys = self._native.keys()
        if isinstance(key, tuple):
            for i, k in enumerate(keys):
                if k == key:
                    return self._native.document(i)
            raise KeyError(key)
        hits = [i for i, (candidate, _) in enumerate(keys) if candidate == key]
        if len(hits) == 1:
            return self._native.document(hits[0])
        if not hits:
            raise KeyError(key)
        cycles = [keys[i][1] for i in hits]
        raise KeyError(f"{key!r} was assessed in several cycles {cycles}; use res[{key!r}, cycle]")

    def __contains__(self, key: object) -> bool:
        keys = self._native.keys()
        if isinstance(key, tuple):
            return key in keys
        return any(candidate == key for candidate, _ in keys)

    def __repr__(self) -> str:
        return f"<Assessments: {len(self)} candidates, rubric {self.rubric.label}>"

    @property
    def rubric(self) -> _native.Rubric:
        """The rubric the candidates were assessed with."""
        return self._native.rubric

    def keys(self) -> List[Tuple[str, Optional[str]]]:
        """``(candidate, cycle)`` of every document, in order (cycle is None without cycles)."""
        return self._native.keys()

    def to_dicts(self) -> List[Document]:
        """The assessment documents, exactly as the engine's JSON (and the CLI's)."""
        return self._native.to_dicts()

    def to_json(self, *, pretty: bool = False) -> str:
        """The assessment documents as JSON text, written by the engine."""
        return self._native.to_json(pretty)

    def to_pandas(self) -> pd.DataFrame:
        """One row per candidate: the engine's flat table (candidate, level, index, CIs,
        ``<dimension>_score`` …, technical, flags, strengths, development)."""
        return _table_frame(self._native, arrow=True)

    def _repr_html_(self) -> str:
        return assessments_html(self._native.table(), len(self))


def _arrow_string_dtype() -> Any:
    """pandas' default string dtype when it is Arrow-backed (pandas 3 with pyarrow), else None."""
    dtype = pd.Series(["x"]).dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return dtype
    return None


def _table_frame(native: _native.NativeAssessments, arrow: bool) -> pd.DataFrame:
    """The flat table as a DataFrame. The number columns arrive as one block, which pandas
    keeps without copying; with ``arrow`` and an Arrow-backed default string dtype, the text
    columns arrive as Arrow buffers and become that dtype without a Python ``str`` per value
    (the same frame as from lists of ``str``, tested)."""
    dtype = _arrow_string_dtype() if arrow else None
    names, block, texts = native.table_parts(with_text=dtype is None)
    columns: List[Tuple[int, Any]] = list(texts)
    if dtype is not None:
        import pyarrow as pa  # type: ignore[import-untyped, import-not-found, unused-ignore]

        columns = []
        for pos, offsets, data, validity in native.table_text_buffers():
            n = len(offsets) - 1
            array = pa.LargeStringArray.from_buffers(
                n,
                pa.py_buffer(offsets),
                pa.py_buffer(data),
                None if validity is None else pa.py_buffer(validity),
            )
            columns.append((pos, dtype.__from_arrow__(array)))
    text_at = {pos for pos, _ in columns}
    numbers = [name for i, name in enumerate(names) if i not in text_at]
    frame = pd.DataFrame(block, columns=pd.Index(numbers), copy=False)
    for pos, values in columns:  # ascending positions: each lands where it belongs
        frame.insert(pos, names[pos], values)
    return frame


def assess(ratings: Ratings, rubric: Optional[_native.Rubric] = None) -> Assessments:
    """Assesses every candidate in ``ratings`` with ``rubric`` (the standard rubric by default).

    ``ratings`` is a pandas DataFrame in long format (columns candidate, rater, group,
    criterion, score, optional cycle and comment; NaN score = not rated), a list of dicts
    with those keys, or the path of a CSV file.

    Raises ``RatingsError`` naming the row (DataFrame position, list index or CSV line).
    """
    rub = rubric if rubric is not None else _native.Rubric.standard()
    if not isinstance(rub, _native.Rubric):
        raise TypeError(f"rubric must be a readiness.Rubric, got {type(rub).__name__}")
    if isinstance(ratings, (str, os.PathLike)):
        return Assessments(_native.assess_csv_file(rub, os.fspath(ratings)))
    if isinstance(ratings, (list, tuple)):
        return Assessments(_native.assess_records(rub, list(ratings)))
    if isinstance(ratings, pd.DataFrame):
        from ._frame import columns_of

        return Assessments(_native.assess_columns(rub, columns_of(ratings)))
    raise TypeError(
        "ratings must be a pandas DataFrame, a list of dicts or a CSV path, "
        f"got {type(ratings).__name__}"
    )


__all__ = ["Assessments", "assess"]
