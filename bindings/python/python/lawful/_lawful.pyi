"""Type stubs of the native module `lawful._lawful` (re-exported by `lawful`)."""

import datetime
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, Protocol, final

from lawful._types import (
    DataMap,
    DecisionDict,
    MapDisclosure,
    MapUse,
    Obligation,
    TraceStep,
)

__all__ = [
    "load",
    "loads",
    "report",
    "watch",
    "Policy",
    "Decision",
    "Diagnostic",
    "LawfulError",
    "PolicyError",
    "RequestError",
    "Reload",
    "Watcher",
    "__version__",
]

__version__: str

_Time = datetime.datetime | datetime.date | str
_Data = str | list[str] | tuple[str, ...] | set[str] | frozenset[str]
_AttributeValue = bool | int | float | str | list[str] | tuple[str, ...] | set[str] | frozenset[str]

class _ArrowStream(Protocol):
    """Arrow data that exports itself as a stream: a pyarrow Table or RecordBatch,
    a Polars or pandas DataFrame, a DuckDB relation."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...

_ReportFormat = Literal["markdown", "json", "csv", "html", "ropa", "ropa-json", "ccpa", "ccpa-json", "fides"]

class LawfulError(Exception):
    """The base of every error lawful raises."""

class PolicyError(LawfulError):
    """A policy that cannot load; `diagnostics` lists the problems found (at most
    100), `omitted` counts the rest."""

    diagnostics: list[Diagnostic]
    omitted: int
    file: str | None
    line: int | None
    column: int | None
    message: str | None

class RequestError(LawfulError):
    """A request the policy cannot decide. It is never an allow."""

    kind: Literal["request", "json"] | None
    field: str | None
    message: str | None
    suggestion: str | None
    index: int | None

@final
class Diagnostic:
    """One problem found in a rule file."""

    @property
    def severity(self) -> Literal["error", "warning"]: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def file(self) -> str | None: ...
    @property
    def line(self) -> int | None: ...
    @property
    def column(self) -> int | None: ...
    @property
    def source_line(self) -> str | None: ...
    @property
    def help(self) -> str | None: ...

@final
class Decision:
    """The answer to a request."""

    @property
    def allowed(self) -> bool: ...
    @property
    def rule(self) -> str | None: ...
    @property
    def cites(self) -> list[str]: ...
    @property
    def basis(self) -> str | None: ...
    @property
    def obligations(self) -> list[Obligation]: ...
    @property
    def version(self) -> str | None: ...
    @property
    def digest(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def trace(self) -> list[TraceStep] | None: ...
    def to_dict(self) -> DecisionDict: ...
    def __bool__(self) -> bool: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class Policy:
    """A compiled privacy policy, with every version of it."""

    def decide(self, request: Mapping[str, Any]) -> Decision: ...
    def explain(self, request: Mapping[str, Any]) -> Decision: ...
    def may_use(
        self,
        *,
        role: str,
        data: _Data,
        purpose: str,
        at: _Time | None = None,
        collected_at: _Time | None = None,
        age: int | None = None,
        consents: Mapping[str, _Time] | None = None,
        revocations: Mapping[str, _Time] | None = None,
        **attributes: _AttributeValue | None,
    ) -> Decision: ...
    def may_disclose(
        self,
        *,
        role: str,
        data: _Data,
        purpose: str,
        party: str,
        at: _Time | None = None,
        collected_at: _Time | None = None,
        age: int | None = None,
        consents: Mapping[str, _Time] | None = None,
        revocations: Mapping[str, _Time] | None = None,
        **attributes: _AttributeValue | None,
    ) -> Decision: ...
    def decide_many(
        self, requests: Iterable[Mapping[str, Any]], *, threads: int | None = None
    ) -> list[Decision]: ...
    def decide_arrow(self, table: _ArrowStream, *, threads: int | None = None) -> Any:
        """A pyarrow RecordBatch for a RecordBatch, a pyarrow Table otherwise."""
    def decide_json(self, request: str | bytes) -> str: ...
    def data_map(self, version: str | None = None) -> DataMap: ...
    def purposes_for(self, role: str, category: str, version: str | None = None) -> list[MapUse]: ...
    def recipients_for(
        self, role: str, category: str, purpose: str, version: str | None = None
    ) -> list[MapDisclosure]: ...
    def uses_of_purpose(self, purpose: str, version: str | None = None) -> list[MapUse]: ...
    @property
    def versions(self) -> tuple[str, ...]: ...
    @property
    def warnings(self) -> list[Diagnostic]: ...
    @property
    def digest(self) -> str: ...

@final
class Reload:
    """The report of one reload of a watched policy."""

    @property
    def ok(self) -> bool: ...
    @property
    def changed(self) -> bool: ...
    @property
    def trigger(self) -> Literal["start", "change", "manual"]: ...
    @property
    def digest(self) -> str: ...
    @property
    def previous(self) -> str | None: ...
    @property
    def diagnostics(self) -> list[Diagnostic]: ...
    @property
    def at(self) -> float: ...
    def __bool__(self) -> bool: ...

@final
class Watcher:
    """A policy that follows its rule files, keeping the last good version."""

    @property
    def policy(self) -> Policy: ...
    def reload(self) -> Reload: ...
    @property
    def last_reload(self) -> Reload: ...
    @property
    def path(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> Watcher: ...
    def __exit__(self, *args: object) -> bool: ...

def load(path: str | os.PathLike[str]) -> Policy: ...
def loads(sources: str | Mapping[str, str]) -> Policy: ...
def report(
    path: str | os.PathLike[str],
    format: _ReportFormat = "markdown",
    version: str | None = None,
    texts: str | os.PathLike[str] | None = None,
) -> str: ...
def watch(
    path: str | os.PathLike[str],
    on_reload: Callable[[Reload], object] | None = None,
    *,
    debounce: float = 0.15,
) -> Watcher: ...
