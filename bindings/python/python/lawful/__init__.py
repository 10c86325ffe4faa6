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

The data map answers the reverse questions from the same rules:
``policy.data_map()``, ``policy.purposes_for(role, category)``,
``policy.recipients_for(role, category, purpose)``,
``policy.uses_of_purpose(purpose)``; ``lawful.report(path, format)`` writes
the reports ``lawful map`` writes.
A service whose rules change while it runs watches them instead of loading
them once; an edit that does not load keeps the last good policy::

    with lawful.watch("rules/filestack", on_reload=print) as watcher:
        decision = watcher.policy.decide(request)
"""

import atexit
import weakref

from lawful import _lawful
from lawful._types import (
    DataMap,
    DecisionDict,
    MapDisclosure,
    MapObligation,
    MapRecipient,
    MapUse,
    Obligation,
    TraceStep,
)
from lawful._lawful import (
    Decision,
    Diagnostic,
    LawfulError,
    Policy,
    PolicyError,
    Reload,
    RequestError,
    Watcher,
    __version__,
    load,
    loads,
    report,
)

# Watchers still open when the interpreter exits are closed first, so no watch
# thread calls back into an interpreter that is shutting down.
_open_watchers: "weakref.WeakSet[Watcher]" = weakref.WeakSet()


def watch(path, on_reload=None, *, debounce=0.15):
    watcher = _lawful.watch(path, on_reload, debounce=debounce)
    _open_watchers.add(watcher)
    return watcher


watch.__doc__ = _lawful.watch.__doc__


@atexit.register
def _close_watchers() -> None:
    for watcher in list(_open_watchers):
        watcher.close()


__all__ = [
    "DataMap",
    "Decision",
    "DecisionDict",
    "Diagnostic",
    "LawfulError",
    "MapDisclosure",
    "MapObligation",
    "MapRecipient",
    "MapUse",
    "Obligation",
    "Policy",
    "PolicyError",
    "Reload",
    "RequestError",
    "TraceStep",
    "Watcher",
    "__version__",
    "load",
    "loads",
    "report",
    "watch",
]
