"""lawful.watch: a policy that follows its rule files and keeps the last good one."""

from __future__ import annotations

import os
import queue
import shutil
import sys
import threading
import time

import pytest

import lawful

from conftest import CASES, RULES

NEWEST = "2021-11-11.lawful"
NINETEEN = {"action": "use", "subject": {"role": "visitor", "age": 19}, "data": "device.ip_address",
            "purpose": "operate_website", "at": "2026-03-01"}
PATIENCE = 30.0


@pytest.fixture
def rules(tmp_path):
    """A copy of the Filestack rule files (no tests) to edit."""
    for path in RULES.glob("*.lawful"):
        if not path.name.endswith(".test.lawful"):
            shutil.copy(path, tmp_path / path.name)
    return tmp_path


def replace(path, text: str) -> None:
    """Saves as editors do: a new file renamed over the old one."""
    saving = path.with_suffix(".saving")
    saving.write_text(text, encoding="utf-8")
    os.replace(saving, path)


def stricter(text: str) -> str:
    """Children are those under 21: a nineteen-year-old's data is refused."""
    assert "children under 18" in text
    return text.replace("children under 18", "children under 21")


def next_report(reports: queue.Queue, wanted) -> lawful.Reload:
    deadline = time.monotonic() + PATIENCE
    while True:
        report = reports.get(timeout=max(0.0, deadline - time.monotonic()))
        if wanted(report):
            return report


def test_a_broken_edit_keeps_the_last_good_policy_and_a_fix_swaps_in(rules):
    reports: queue.Queue = queue.Queue()
    with lawful.watch(rules, on_reload=reports.put, debounce=0.05) as watcher:
        start = reports.get(timeout=PATIENCE)
        assert start.ok and start.changed and start.trigger == "start" and start.previous is None
        good = watcher.policy.digest
        assert start.digest == good
        assert watcher.policy.decide(NINETEEN).allowed

        file = rules / NEWEST
        original = file.read_text(encoding="utf-8")
        replace(file, original + "\nrule half-written\n  allow use of contact.emial\n")
        failed = next_report(reports, lambda r: not r.ok)
        assert not failed and failed.trigger == "change" and failed.digest == good
        assert failed.diagnostics and any(d.file and d.file.endswith(NEWEST) for d in failed.diagnostics)
        assert "still serving" in str(failed)
        for _ in range(100):
            decision = watcher.policy.decide(NINETEEN)
            assert decision.allowed and decision.digest == good
        assert not watcher.last_reload.ok

        replace(file, stricter(original))
        fixed = next_report(reports, lambda r: r.changed)
        assert fixed.previous == good and fixed.digest != good
        decision = watcher.policy.decide(NINETEEN)
        assert not decision.allowed and decision.rule == "children"
        assert decision.digest == fixed.digest == watcher.policy.digest

        again = watcher.reload()
        assert again.ok and not again.changed and again.trigger == "manual"
    assert watcher.closed


def test_threads_decide_while_the_policy_is_reloaded_under_them(rules):
    file = rules / NEWEST
    original = file.read_text(encoding="utf-8")
    texts = [original, stricter(original)]
    requests = [NINETEEN] + [c["request"] for c in CASES if not c["expect"].get("error")]
    expected = {}
    for text in texts:
        replace(file, text)
        policy = lawful.load(rules)
        expected[policy.digest] = [policy.decide(r).to_dict() for r in requests]
    assert len(expected) == 2
    replace(file, texts[0])

    stop = threading.Event()
    seen: set[str] = set()
    failures: list[str] = []

    def reader(offset: int) -> None:
        i = offset
        while not stop.is_set():
            policy = watcher.policy
            index = i % len(requests)
            got = policy.decide(requests[index]).to_dict()
            if got != expected[policy.digest][index]:
                failures.append(f"request {index} under {policy.digest}: {got}")
            seen.add(policy.digest)
            i += 1

    with lawful.watch(rules, debounce=0.05) as watcher:
        threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        try:
            for swap in range(1, 7):
                replace(file, texts[swap % 2])
                assert watcher.reload().ok
                time.sleep(0.02)
        finally:
            stop.set()
            for t in threads:
                t.join()
    assert not failures, failures[:3]
    assert seen == set(expected)


def test_the_policy_object_stays_the_same_while_the_policy_does(rules):
    with lawful.watch(rules) as watcher:
        assert watcher.policy is watcher.policy
        before = watcher.policy
        replace(rules / NEWEST, stricter((rules / NEWEST).read_text(encoding="utf-8")))
        assert watcher.reload().changed
        assert watcher.policy is not before
        # A policy already handed out goes on answering as it did.
        assert before.decide(NINETEEN).allowed


def test_closing_stops_watching_and_is_final(rules):
    reports: queue.Queue = queue.Queue()
    watcher = lawful.watch(rules, on_reload=reports.put, debounce=0.05)
    kept = watcher.policy
    assert "Watcher" in repr(watcher) and not watcher.closed
    watcher.close()
    watcher.close()
    assert watcher.closed and "closed" in repr(watcher)
    with pytest.raises(ValueError):
        watcher.policy
    with pytest.raises(ValueError):
        watcher.reload()
    reports.get(timeout=PATIENCE)  # the first load
    replace(rules / NEWEST, stricter((rules / NEWEST).read_text(encoding="utf-8")))
    time.sleep(0.5)
    assert reports.empty()
    assert kept.decide(NINETEEN).allowed


def test_a_callback_that_raises_or_reloads_does_not_stop_the_watching(rules, monkeypatch):
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    reports: queue.Queue = queue.Queue()
    holder: list[lawful.Watcher] = []

    def on_reload(report: lawful.Reload) -> None:
        reports.put(report)
        if holder:
            # From the callback, reload() returns the report being delivered.
            assert holder[0].reload().digest == report.digest
        raise RuntimeError("a bug in the callback")

    with lawful.watch(rules, on_reload=on_reload, debounce=0.05) as watcher:
        holder.append(watcher)
        reports.get(timeout=PATIENCE)
        replace(rules / NEWEST, stricter((rules / NEWEST).read_text(encoding="utf-8")))
        changed = next_report(reports, lambda r: r.changed)
        assert watcher.policy.digest == changed.digest
    assert any(isinstance(u.exc_value, RuntimeError) for u in unraisable)
    assert not any(isinstance(u.exc_value, AssertionError) for u in unraisable), unraisable


def test_a_policy_that_does_not_load_at_first_raises_policy_error(rules):
    (rules / NEWEST).write_text('policy "x"\nversion 2021-13-45\n', encoding="utf-8")
    with pytest.raises(lawful.PolicyError) as raised:
        lawful.watch(rules)
    assert raised.value.file and raised.value.file.endswith(NEWEST)
    with pytest.raises(ValueError):
        lawful.watch(RULES, debounce=-1)
