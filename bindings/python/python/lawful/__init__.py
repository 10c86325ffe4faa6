"""lawful: privacy policies as code.

Load a policy written in lawful's rule language, then ask it whether a person's
data may be used for a purpose, or disclosed to a party::

    import lawful

    policy = lawful.load("rules/filestack")
    decision = policy.may_use(role="visitor", data="device.ip_address",
                              purpose="operate_website")
    if decision:
        ...
    print(decision.rule, decision.cites, decision.obligations)

Requests can also be given as dicts shaped like the JSON the command line
reads (``policy.decide({...})``), or in batches (``policy.decide_many([...])``,
which releases the GIL while deciding). Errors are ``lawful.PolicyError`` (a
rule file that does not load) and ``lawful.RequestError`` (a request the policy
cannot decide), both subclasses of ``lawful.LawfulError``.
"""

from lawful._types import DecisionDict, Obligation, TraceStep
from lawful._lawful import (
    Decision,
    Diagnostic,
    LawfulError,
    Policy,
    PolicyError,
    RequestError,
    __version__,
    load,
    loads,
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
