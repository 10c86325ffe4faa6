from lawful._lawful import (
    Decision as Decision,
    DecisionDict as DecisionDict,
    Diagnostic as Diagnostic,
    LawfulError as LawfulError,
    Obligation as Obligation,
    Policy as Policy,
    PolicyError as PolicyError,
    RequestError as RequestError,
    TraceStep as TraceStep,
    __version__ as __version__,
    load as load,
    loads as loads,
)

__all__ = [
    "Decision",
    "Diagnostic",
    "LawfulError",
    "Policy",
    "PolicyError",
    "RequestError",
    "__version__",
    "load",
    "loads",
]
