#!/usr/bin/env python3
"""DuckDB: decide the requests of a Parquet file, then ask SQL about the decisions.

    python examples/duckdb/decide.py --policy rules/filestack requests.parquet
"""

import argparse

import duckdb

import lawful

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--policy", required=True)
ap.add_argument("requests")
a = ap.parse_args()

policy = lawful.load(a.policy)
requests = duckdb.read_parquet(a.requests)
# A DuckDB relation is Arrow data: the request columns go in, a pyarrow table of decisions comes back.
decisions = policy.decide_arrow(requests.select("* EXCLUDE (request_id)"))
# Rows line up by position; DuckDB reads the pyarrow table `decisions` by its name.
duckdb.sql("""
    SELECT purpose, count(*) FILTER (allowed) AS allowed, count(*) FILTER (NOT allowed) AS denied,
           count(*) FILTER (error IS NOT NULL) AS errors
    FROM (SELECT r.purpose, d.allowed, d.error FROM requests r POSITIONAL JOIN decisions d)
    GROUP BY purpose ORDER BY purpose
""").show()
