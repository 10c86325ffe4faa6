#!/usr/bin/env python3
"""Writes a Parquet file of sample requests against rules/filestack, one per row.

    python examples/requests_table.py requests.parquet [--rows 10000]

The columns are those `Policy.decide_arrow` reads — `action`, `role`, `data`
(a list of categories), `purpose`, `party`, `at` (timestamps), `collected_at`
(dates), `age`, `consents` (a map from purpose to time), `do_not_track`,
`provided_contact`, `jurisdiction` — with a `request_id` to join the answers
back on. Names are dictionary-encoded, as Parquet readers give them. Every
hundredth request misspells its purpose, to show how a bad row comes out.
"""

from __future__ import annotations

import argparse
import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq

UTC = dt.timezone.utc

# (action, role, data, purpose, party)
SHAPES = [
    ("use", "visitor", ["device.ip_address"], "operate_website", None),
    ("use", "visitor", ["activity.cookie_id"], "marketing.advertising", None),
    ("disclose", "visitor", ["contact.email"], "marketing.communications", "mailgun"),
    ("use", "account_user", ["contact.email", "contact.name"], "marketing.communications", None),
    ("disclose", "account_user", ["account.billing_contact"], "customer.billing", "stripe"),
    ("use", "account_user", ["activity.service_usage"], "improve_offerings", None),
    ("disclose", "file_subject", ["file_embedded"], "file_processing", "aws"),
]


def requests(rows: int) -> pa.Table:
    """`rows` sample requests, the same every time."""
    columns: dict[str, list] = {name: [] for name in (
        "request_id", "action", "role", "data", "purpose", "party", "at", "collected_at", "age",
        "consents", "do_not_track", "provided_contact", "jurisdiction")}
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for i in range(rows):
        action, role, data, purpose, party = SHAPES[i % len(SHAPES)]
        if i % 100 == 99:
            purpose = "marketing.comunications"
        consented = i % 3 != 0
        columns["request_id"].append(i)
        columns["action"].append(action)
        columns["role"].append(role)
        columns["data"].append(data)
        columns["purpose"].append(purpose)
        columns["party"].append(party)
        columns["at"].append(start + dt.timedelta(minutes=i))
        columns["collected_at"].append(dt.date(2024, 1 + i % 12, 1) if i % 5 == 0 else None)
        columns["age"].append([None, 34, 16, 52][i % 4])
        columns["consents"].append(
            [("marketing.communications", dt.datetime(2026, 1, 5, tzinfo=UTC))] if consented else None)
        columns["do_not_track"].append(i % 7 == 0)
        columns["provided_contact"].append(i % 2 == 0)
        columns["jurisdiction"].append(["EU", "US-CA", None][i % 3])
    names = pa.dictionary(pa.int32(), pa.string())
    schema = pa.schema([
        ("request_id", pa.int64()), ("action", names), ("role", names),
        ("data", pa.list_(names)), ("purpose", names), ("party", names),
        ("at", pa.timestamp("us", tz="UTC")), ("collected_at", pa.date32()), ("age", pa.int64()),
        ("consents", pa.map_(pa.string(), pa.timestamp("us", tz="UTC"))),
        ("do_not_track", pa.bool_()), ("provided_contact", pa.bool_()), ("jurisdiction", names),
    ])
    return pa.table(columns, schema=schema)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="the Parquet file to write")
    ap.add_argument("--rows", type=int, default=10_000)
    a = ap.parse_args()
    pq.write_table(requests(a.rows), a.out)


if __name__ == "__main__":
    main()
