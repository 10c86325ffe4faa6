#!/usr/bin/env python3
"""Timings of the Python bindings against the Filestack policy.

    python bindings/python/bench.py [--n 100000] [--repeat 5] [--policy rules/filestack]

Prints microseconds per `decide` call (a request dict, in a Python loop that drops
each decision, and in a list comprehension that keeps them, as `decide_many`
does), per `may_use` call (keywords, in a loop), and decisions per second through
`decide_many` over the same requests (by default, with `threads=2`, and with `at`
as a datetime), with the ratios of the per-decision times. Each figure is the best of --repeat runs. Measure an
optimised build: `maturin develop --release` (or a wheel built with --release).
The requests are distinct dict objects, a mix of uses and disclosures with and
without consents, attributes and times, as a service would send them.
"""

from __future__ import annotations

import argparse
import datetime
import pathlib
import time

import lawful

HERE = pathlib.Path(__file__).resolve().parent

# (role, data, purpose, party, extra subject fields)
SHAPES = [
    ("visitor", "device.ip_address", "operate_website", None, {}),
    ("visitor", ["activity.visit", "device.identifier"], "improve_offerings", None, {"do_not_track": False}),
    ("visitor", ["contact.email"], "marketing.communications", "mailgun",
     {"provided_contact": True, "consents": {"marketing.communications": "2026-01-01T00:00:00Z"}}),
    ("visitor", "activity.cookie_id", "marketing.advertising", "facebook", {"do_not_track": True}),
    ("account_user", "account.billing_contact", "customer.billing", "stripe", {}),
    ("account_user", ["contact.email"], "customer.account_communications", None, {"jurisdiction": "EU"}),
    ("file_subject", "file_embedded", "file_processing", "aws", {}),
    ("visitor", "device.ip_address", "operate_website", None, {"age": 16}),
]


def make_requests(n: int) -> list[dict]:
    requests = []
    for i in range(n):
        role, data, purpose, party, extra = SHAPES[i % len(SHAPES)]
        subject = {"role": role, **extra}
        request = {
            "action": "disclose" if party else "use",
            "subject": subject,
            "data": data,
            "purpose": purpose,
            "at": f"2026-03-{1 + i % 28:02d}T10:00:00Z",
        }
        if party:
            request["party"] = party
        requests.append(request)
    return requests


def best(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="requests per run")
    ap.add_argument("--repeat", type=int, default=5, help="runs; the best is kept")
    ap.add_argument("--policy", default=str(HERE.parent.parent / "rules" / "filestack"))
    a = ap.parse_args()

    policy = lawful.load(a.policy)
    requests = make_requests(a.n)
    assert policy.decide_many(requests) == [policy.decide(r) for r in requests]

    decide = policy.decide

    def loop_decide():
        for r in requests:
            decide(r)

    def collect_decide():
        return [decide(r) for r in requests]

    may_use = policy.may_use
    at = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.timezone.utc)

    def loop_may_use():
        for i in range(a.n):
            if i & 1:
                may_use(role="visitor", data="device.ip_address", purpose="operate_website", at=at)
            else:
                may_use(role="account_user", data="contact.email",
                        purpose="customer.account_communications", at="2026-03-01")

    decide_s = best(a.repeat, loop_decide)
    collect_s = best(a.repeat, collect_decide)
    may_use_s = best(a.repeat, loop_may_use)
    many_s = best(a.repeat, lambda: policy.decide_many(requests))
    many_2_s = best(a.repeat, lambda: policy.decide_many(requests, threads=2))
    # The same requests with `at` as an aware datetime, as services often have it.
    start = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.timezone.utc)
    with_datetimes = [dict(r, at=start + datetime.timedelta(days=i % 28)) for i, r in enumerate(requests)]
    assert policy.decide_many(with_datetimes) == policy.decide_many(requests)
    many_dt_s = best(a.repeat, lambda: policy.decide_many(with_datetimes))

    def us(seconds: float) -> float:
        return seconds / a.n * 1e6

    print(f"lawful {lawful.__version__}, {a.n} requests, best of {a.repeat}")
    print(f"decide, Python loop:                {us(decide_s):7.3f} µs per call")
    print(f"decide, list comprehension:         {us(collect_s):7.3f} µs per call (keeps the decisions)")
    print(f"may_use, Python loop:               {us(may_use_s):7.3f} µs per call")
    print(f"decide_many:                        {us(many_s):7.3f} µs per decision, "
          f"{a.n / many_s:,.0f} decisions/s")
    print(f"decide_many, threads=2:             {us(many_2_s):7.3f} µs per decision, "
          f"{a.n / many_2_s:,.0f} decisions/s")
    print(f"decide_many, `at` as datetime:     {us(many_dt_s):7.3f} µs per decision, "
          f"{a.n / many_dt_s:,.0f} decisions/s")
    print(f"decide_many vs decide loop:         {decide_s / many_s:.2f}x per decision "
          f"({collect_s / many_s:.2f}x vs the list comprehension, which returns the same list)")


if __name__ == "__main__":
    main()
