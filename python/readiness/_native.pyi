"""Type stubs of the compiled engine module (private; use the ``readiness`` package)."""

from os import PathLike
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union, final

import numpy as np
import numpy.typing as npt

__version__: str
ENGINE_VERSION: str

class ReadinessError(ValueError):
    """Base class of every error the engine reports.

    ``code``: the engine's stable snake_case code (``"score_out_of_scale"``);
    ``row``: the CSV line (1-based, header = 1) or 0-based row/list index, else None;
    ``path``: the rubric path of the offending value (``"dimensions[0].weight"``), else None.
    """

    code: str
    row: Optional[int]
    path: Optional[str]

class RubricError(ReadinessError):
    """The rubric could not be read or is not valid."""

class RatingsError(ReadinessError):
    """The ratings could not be read or do not fit the rubric."""

class StatsError(ReadinessError):
    """A statistics function was given input it cannot work with."""

class CohortError(ReadinessError):
    """A cohort input table (attributes, decisions, overrides) is not valid.

    ``code``: ``table_syntax``, ``table_missing_column``, ``table_unknown_column``,
    ``unknown_candidate``, ``duplicate_key``, ``table_missing_value``,
    ``override_without_reason`` or ``table_invalid_value``; ``row``: the CSV line
    (header = 1; a DataFrame or list is written as CSV, its first row being line 2).
    """

@final
class Rubric:
    """A validated rubric (scale, rater groups, policy, dimensions and criteria)."""

    @staticmethod
    def standard() -> Rubric: ...
    @staticmethod
    def from_toml(text: str) -> Rubric: ...
    @staticmethod
    def from_json(text: str) -> Rubric: ...
    @staticmethod
    def from_dict(d: Dict[str, Any]) -> Rubric: ...
    @staticmethod
    def from_file(path: Union[str, PathLike[str]]) -> Rubric: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...
    def to_toml(self) -> str: ...
    @property
    def fingerprint(self) -> str:
        """``sha256:`` of the rubric's canonical JSON."""
    @property
    def label(self) -> str:
        """``id@version``."""
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def dimensions(self) -> List[Dict[str, Any]]:
        """The dimensions as dicts: id, name, kind, weight, description, criteria."""
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class NativeAssessments:
    def __len__(self) -> int: ...
    def document(self, i: int) -> Dict[str, Any]: ...
    def to_dicts(self) -> List[Dict[str, Any]]: ...
    def to_json(self, pretty: bool) -> str: ...
    def keys(self) -> List[Tuple[str, Optional[str]]]: ...
    def table(self) -> List[Tuple[str, Union[npt.NDArray[np.float64], List[Optional[str]]]]]: ...
    def table_parts(
        self, with_text: bool = True
    ) -> Tuple[List[str], npt.NDArray[np.float64], List[Tuple[int, List[Optional[str]]]]]: ...
    def table_text_buffers(
        self,
    ) -> List[
        Tuple[int, npt.NDArray[np.int64], npt.NDArray[np.uint8], Optional[npt.NDArray[np.uint8]]]
    ]: ...
    @property
    def rubric(self) -> Rubric: ...

def assess_columns(rubric: Rubric, columns: List[Tuple[str, str, Any, Any]]) -> NativeAssessments: ...
def assess_records(rubric: Rubric, records: Any) -> NativeAssessments: ...
def assess_csv_file(rubric: Rubric, path: Union[str, PathLike[str]]) -> NativeAssessments: ...
def assess_csv_text(rubric: Rubric, text: str) -> NativeAssessments: ...
def icc(matrix: npt.NDArray[np.float64], confidence: float = 0.95) -> Dict[str, Any]: ...
def cronbach_alpha(
    matrix: npt.NDArray[np.float64], missing: str = "pairwise", confidence: float = 0.95
) -> Dict[str, Any]: ...
def krippendorff_alpha(
    data: npt.NDArray[np.float64], level: str = "interval", domain: Optional[Sequence[float]] = None
) -> Dict[str, Any]: ...
def uniform_null_variance(points: int) -> float: ...
def rwg(ratings: npt.NDArray[np.float64], null_variance: float) -> Dict[str, Any]: ...
def rwg_j(matrix: npt.NDArray[np.float64], null_variance: float) -> Dict[str, Any]: ...
def fisher_exact(table: List[List[int]]) -> Dict[str, Any]: ...
def adverse_impact_counts(focal: Tuple[int, int], reference: Tuple[int, int]) -> Dict[str, Any]: ...
def selection_rates(groups: List[Tuple[int, int]]) -> Dict[str, Any]: ...

@final
class NativeCohort:
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self, pretty: bool) -> str: ...

def cohort(
    rubric: Rubric,
    kind: str,
    ratings: Any,
    attributes: Optional[Tuple[str, str]] = None,
    decisions: Optional[Tuple[str, str]] = None,
    overrides: Optional[Tuple[str, str]] = None,
) -> NativeCohort: ...
