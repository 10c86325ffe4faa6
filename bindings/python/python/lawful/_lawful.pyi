"""Type stubs of the native module `lawful._lawful` (re-exported by `lawful`)."""

import datetime
import os
from collections.abc import Iterable, Mapping
from typing import Any, Literal, Protocol, final

from lawful._types import DecisionDict, Obligation, TraceStep

__all__ = [
    "load",
    "loads",
    "Policy",
    "Decision",
    "Diagnostic",
    "LawfulError",
    "PolicyError",
    "RequestError",
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

class LawfulError(Exception):
    """The base of every error lawful raises."""

class PolicyError(LawfulError):
    """A policy that cannot load; `diagnostics` lists every problem found."""

    diagnostics: list[Diagnostic]
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
    @property
    def versions(self) -> tuple[str, ...]: ...
    @property
    def warnings(self) -> list[Diagnostic]: ...

def load(path: str | os.PathLike[str]) -> Policy: ...
def loads(sources: str | Mapping[str, str]) -> Policy: ...
