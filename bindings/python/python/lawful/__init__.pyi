from lawful._types import (
    DecisionDict as DecisionDict,
    Obligation as Obligation,
    TraceStep as TraceStep,
)
from lawful._lawful import (
    Decision as Decision,
    Diagnostic as Diagnostic,
    LawfulError as LawfulError,
    Policy as Policy,
    PolicyError as PolicyError,
    RequestError as RequestError,
    __version__ as __version__,
    load as load,
    loads as loads,
)

__all__ = [
    "Decision",
    "DecisionDict",
    "Diagnostic",
    "LawfulError",
    "Obligation",
    "Policy",
    "PolicyError",
    "RequestError",
    "TraceStep",
    "__version__",
    "load",
    "loads",
]
