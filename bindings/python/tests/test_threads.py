"""A policy is shared between threads safely, and decide_many lets other threads run."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import lawful

from conftest import CASES

DECIDED = [c["request"] for c in CASES if not c["expect"].get("error")]
REFUSED = [c["request"] for c in CASES if c["expect"].get("error")]


def test_one_policy_many_threads(policy):
    expected = [policy.decide(r).to_dict() for r in DECIDED]

    def work(worker: int):
        results = []
        for round_ in range(50):
            if (worker + round_) % 3 == 0:
                results.append([d.to_dict() for d in policy.decide_many(DECIDED, threads=2)])
            else:
                results.append([policy.decide(r).to_dict() for r in DECIDED])
            for bad in REFUSED:
                with pytest.raises(lawful.RequestError):
                    policy.decide(bad)
        return results

    with ThreadPoolExecutor(max_workers=8) as pool:
        for results in pool.map(work, range(8)):
            assert all(r == expected for r in results)


def test_policies_and_decisions_are_immutable(policy):
    decision = policy.decide(DECIDED[0])
    with pytest.raises(AttributeError):
        decision.allowed = False
    with pytest.raises(AttributeError):
        policy.versions = ()
    decision.cites.append("edited")
    decision.obligations.append({"kind": "edited"})
    assert "edited" not in decision.cites
    assert {"kind": "edited"} not in decision.obligations


def test_decide_many_releases_the_gil(policy):
    """While a batch is decided, another Python thread runs: it records the times
    it ran, and some must fall inside the call (none could if the GIL were held)."""
    requests = DECIDED * 8000
    ticks: list[float] = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        time.sleep(0.01)
        start = time.perf_counter()
        policy.decide_many(requests, threads=1)
        end = time.perf_counter()
    finally:
        stop.set()
        thread.join()
    inside = [t for t in ticks if start < t < end]
    assert inside, "no other thread ran while decide_many was deciding"
