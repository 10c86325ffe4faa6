#!/usr/bin/env python3
"""Polars: decide a Parquet file of requests, and keep the rows that may be used for marketing.

    python examples/polars/decide.py --policy rules/filestack requests.parquet
"""

import argparse

import polars as pl

import lawful

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--policy", required=True)
ap.add_argument("requests")
a = ap.parse_args()

policy = lawful.load(a.policy)
requests = pl.read_parquet(a.requests)
# The request columns go in (a Polars frame is Arrow data); the decisions come back in order.
decisions = pl.from_arrow(policy.decide_arrow(requests.drop("request_id")))
decided = pl.concat([requests.select("request_id", "purpose"), decisions], how="horizontal")

print(decided.group_by("allowed").len().sort("allowed"))
marketing = decided.filter(pl.col("purpose").cast(pl.String).str.starts_with("marketing.") & pl.col("allowed"))
print(f"{marketing.height} of {decided.height} requests may use the data for marketing")
with pl.Config(fmt_str_lengths=100):
    print(decided.filter(pl.col("error").is_not_null()).select("request_id", "error").head(2))
