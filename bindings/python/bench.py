#!/usr/bin/env python3
"""Timings of the Python bindings against the Filestack policy.

    python bindings/python/bench.py [--n 100000] [--repeat 5] [--policy rules/filestack]

Prints microseconds per `decide` call (a request dict, in a Python loop that drops
each decision, and in a list comprehension that keeps them, as `decide_many`
does), per `may_use` call (keywords, in a loop), and decisions per second through
`decide_many` over the same requests (by default, with `threads=2`, and with `at`
as a datetime), with the ratios of the per-decision times. Each figure is the best
of --repeat runs. Measure an optimised build: `maturin develop --release` (or a
wheel built with --release).

Two sets of requests, a mix of uses and disclosures with and without consents,
attributes and times:

- built in Python: distinct dicts whose names are shared string literals, as a
  service builds them;
- read from JSON Lines: each request `json.loads`-ed from its own line, so every
  string is a distinct object, as data read from a file or a queue is.

With pyarrow installed, the same requests as an Arrow table (names
dictionary-encoded, as Parquet and Polars give them) through `decide_arrow`,
checked row by row against `decide`; then the decisive comparison, on a table as
a data lake holds it: examples/requests_table.py's requests (every row its own
`at`, a collection date on some, consents on most, age and three attributes),
written to Parquet and read back with pyarrow (which gives the names back
dictionary-encoded, as written), decided by `decide_arrow`, against a `decide`
loop over the same rows as request dicts (`table.to_pylist()`, nulls left out:
datetimes, dates and consent dicts as Python gives them); and the same table with
its names as plain strings (as a Parquet file written without Arrow's schema, or
a CSV, reads back).
"""

from __future__ import annotations

import argparse
import datetime
import json
import pathlib
import sys
import tempfile
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


def from_json_lines(requests: list[dict]) -> list[dict]:
    """The requests as a service reads them from JSON Lines: every string a distinct object."""
    lines = [json.dumps(r) for r in requests]
    return [json.loads(line) for line in lines]


def as_table(requests: list[dict]):
    """The requests as an Arrow table, as a data lake keeps them: one column per field,
    names dictionary-encoded, times as timestamps."""
    import pyarrow as pa
    import pyarrow.compute as pc

    subject = ["role", "age", "do_not_track", "provided_contact", "jurisdiction", "consents"]
    columns = {
        "action": [r["action"] for r in requests],
        "data": [[r["data"]] if isinstance(r["data"], str) else r["data"] for r in requests],
        "purpose": [r["purpose"] for r in requests],
        "party": [r.get("party") for r in requests],
        "at": [r.get("at") for r in requests],
    }
    for name in subject:
        columns[name] = [r["subject"].get(name) for r in requests]
    table = pa.table({
        **columns,
        "data": pa.array(columns["data"], pa.list_(pa.string())),
        "consents": pa.array([[(p, datetime.datetime.fromisoformat(t.replace("Z", "+00:00")))
                               for p, t in c.items()] if c else None for c in columns["consents"]],
                             pa.map_(pa.string(), pa.timestamp("s", tz="UTC"))),
        "at": pc.cast(pa.array(columns["at"]), pa.timestamp("s", tz="UTC")),
    })
    for name in ("action", "role", "purpose", "party", "jurisdiction"):
        table = table.set_column(table.schema.get_field_index(name), name, pc.dictionary_encode(table[name]))
    data = table["data"].cast(pa.list_(pa.dictionary(pa.int32(), pa.string())))
    return table.set_column(table.schema.get_field_index("data"), "data", data)


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

    # Requests read from JSON Lines: no string is shared between requests.
    read = from_json_lines(requests)
    assert policy.decide_many(read) == [policy.decide(r) for r in read]

    def loop_read():
        for r in read:
            decide(r)

    read_loop_s = best(a.repeat, loop_read)
    read_collect_s = best(a.repeat, lambda: [decide(r) for r in read])
    read_many_s = best(a.repeat, lambda: policy.decide_many(read))
    print("requests read from JSON Lines (every string a distinct object):")
    print(f"  decide, Python loop:              {us(read_loop_s):7.3f} µs per call")
    print(f"  decide, list comprehension:       {us(read_collect_s):7.3f} µs per call (keeps the decisions)")
    print(f"  decide_many:                      {us(read_many_s):7.3f} µs per decision, "
          f"{a.n / read_many_s:,.0f} decisions/s")
    print(f"  decide_many vs the list comprehension: {read_collect_s / read_many_s:.2f}x per decision "
          f"({read_loop_s / read_many_s:.2f}x vs the loop that drops them)")

    try:
        import pyarrow  # noqa: F401
    except ImportError:
        print("decide_arrow: pyarrow is not installed; skipped")
        return
    table = as_table(requests)
    out = policy.decide_arrow(table)
    for decision, row in zip(policy.decide_many(requests), out.to_pylist()):
        assert (row["allowed"], row["rule"], row["basis"], row["version"]) == \
            (decision.allowed, decision.rule, decision.basis, decision.version), row
        assert row["obligations"] == [o["kind"] for o in decision.obligations]
    arrow_s = best(a.repeat, lambda: policy.decide_arrow(table))
    arrow_1_s = best(a.repeat, lambda: policy.decide_arrow(table, threads=1))
    print(f"decide_arrow (a {table.num_rows:,}-row table, dictionary-encoded names):")
    print(f"  all CPUs:                         {us(arrow_s):7.3f} µs per decision, {a.n / arrow_s:,.0f} decisions/s")
    print(f"  threads=1:                        {us(arrow_1_s):7.3f} µs per decision")
    print(f"  decide_arrow vs the decide loop over dicts of shared literals: {decide_s / arrow_s:.1f}x per decision "
          f"({collect_s / arrow_s:.1f}x the list comprehension)")
    print(f"  decide_arrow vs the decide loop over requests read from JSON Lines: {read_loop_s / arrow_s:.1f}x "
          f"({read_collect_s / arrow_s:.1f}x the list comprehension)")

    lake(policy, a)


def as_requests(rows: list[dict]) -> list[dict]:
    """The request dicts of requests_table.py's rows: nulls left out, consents as a dict."""
    subject_keys = {"role", "age", "consents", "do_not_track", "provided_contact", "jurisdiction"}
    requests = []
    for row in rows:
        request = {k: v for k, v in row.items() if k not in subject_keys and v is not None}
        subject = {k: v for k, v in row.items() if k in subject_keys and v is not None}
        if "consents" in subject:
            subject["consents"] = dict(subject["consents"])
        request["subject"] = subject
        requests.append(request)
    return requests


def with_text_times(request: dict) -> dict:
    """A request with its datetimes and dates as RFC 3339 text."""
    def text(value):
        return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value

    subject = dict(request["subject"])
    if "consents" in subject:
        subject["consents"] = {p: text(t) for p, t in subject["consents"].items()}
    return {**{k: text(v) for k, v in request.items() if k != "subject"}, "subject": subject}


def lake(policy, a) -> None:
    """decide_arrow against a decide loop on a table read back from Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sys.path.insert(0, str(HERE.parent.parent / "examples"))
    import requests_table

    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "requests.parquet"
        pq.write_table(requests_table.requests(a.n), path)
        table = pq.read_table(path).drop_columns(["request_id"])
    plain = pa.table({name: column.cast(pa.list_(pa.string())) if name == "data"
                      else column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column
                      for name, column in zip(table.column_names, table.columns)})
    requests = as_requests(table.to_pylist())
    # The same requests with their times as RFC 3339 text, the form `decide` reads
    # fastest (pyarrow gives datetimes in zoneinfo's UTC, which `decide` reads by
    # the JSON-value reader).
    as_text = [with_text_times(r) for r in requests]
    decide = policy.decide

    def expected(request):
        try:
            d = decide(request)
        except lawful.RequestError as e:
            return (None, None, None, None, None, str(e))
        return (d.allowed, d.rule, d.basis, d.version, [o["kind"] for o in d.obligations], None)

    answers = [expected(r) for r in requests]
    assert [expected(r) for r in as_text] == answers
    for t in (table, plain):
        got = [tuple(row.values()) for row in policy.decide_arrow(t).to_pylist()]
        assert got == answers, "decide_arrow and decide disagree"

    def loop_over(requests):
        def loop():
            for r in requests:
                try:
                    decide(r)
                except lawful.RequestError:
                    pass
        return loop

    def us(seconds: float) -> float:
        return seconds / a.n * 1e6

    loop_s = best(a.repeat, loop_over(requests))
    text_s = best(a.repeat, loop_over(as_text))
    dict_s = best(a.repeat, lambda: policy.decide_arrow(table))
    dict_1_s = best(a.repeat, lambda: policy.decide_arrow(table, threads=1))
    plain_s = best(a.repeat, lambda: policy.decide_arrow(plain))
    plain_1_s = best(a.repeat, lambda: policy.decide_arrow(plain, threads=1))
    print(f"a table read back from Parquet ({a.n:,} rows of examples/requests_table.py, "
          f"{sum(x[5] is not None for x in answers)} of them bad), answers checked row by row:")
    print(f"  decide, Python loop over the rows as dicts (to_pylist):  {us(loop_s):7.3f} µs per call")
    print(f"  decide, Python loop over them with times as text:        {us(text_s):7.3f} µs per call")
    for name, all_s, one_s in [("names dictionary-encoded", dict_s, dict_1_s),
                               ("names as plain strings", plain_s, plain_1_s)]:
        print(f"  decide_arrow, {name + ':':26} {us(all_s):7.3f} µs per decision (threads=1: {us(one_s):.3f})")
        print(f"    = {text_s / all_s:.1f}x the loop with text times (threads=1: {text_s / one_s:.1f}x), "
              f"{loop_s / all_s:.1f}x the loop over to_pylist's dicts")


if __name__ == "__main__":
    main()
