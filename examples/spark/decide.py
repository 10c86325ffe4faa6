#!/usr/bin/env python3
"""Spark: decide a Parquet dataset of requests on the executors, through `mapInArrow`.

    python examples/spark/decide.py --policy rules/filestack --requests requests.parquet \
        --out decisions.parquet [--master local[2]] [--keep request_id]

The policy's rule files are read on the driver and broadcast as text, so the
executors need `lawful` (and pyarrow) installed but no copy of the rules. Each
executor compiles the policy once per partition and decides each Arrow batch
Spark hands it with `Policy.decide_arrow`, on all of its cores, without going
through Python rows. The output has the `--keep` columns (to join the answers
back on) and `allowed`, `rule`, `basis`, `version`, `obligations` and `error`.
See examples/spark/README.md for running it on a cluster.
"""

from __future__ import annotations

import argparse
import pathlib
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import ArrayType, BooleanType, StringType, StructField, StructType

DECISIONS = [
    StructField("allowed", BooleanType()),
    StructField("rule", StringType()),
    StructField("basis", StringType()),
    StructField("version", StringType()),
    StructField("obligations", ArrayType(StringType())),
    StructField("error", StringType()),
]


def policy_sources(path: str) -> dict[str, str]:
    """The rule files of a policy (a file, or a directory of versions), by name."""
    root = pathlib.Path(path)
    files = [root] if root.is_file() else sorted(
        p for p in root.glob("*.lawful") if not p.name.endswith(".test.lawful"))
    return {p.name: p.read_text(encoding="utf-8") for p in files}


def decide(requests: DataFrame, sources: dict[str, str], keep: list[str]) -> DataFrame:
    """The decisions of every row of `requests`, with its `keep` columns first."""
    spark = requests.sparkSession
    rules = spark.sparkContext.broadcast(sources)
    asked = [c for c in requests.columns if c not in keep]
    schema = StructType([requests.schema[c] for c in keep] + DECISIONS)

    def decide_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import lawful  # imported on the executor, where the wheel is installed

        policy = lawful.loads(rules.value)
        for batch in batches:
            decided = policy.decide_arrow(batch.select(asked))
            # Spark takes plain text columns: the dictionary-encoded ones are cast.
            columns = [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in decided.columns]
            yield pa.RecordBatch.from_arrays(
                [batch.column(c) for c in keep] + columns, names=keep + decided.schema.names)

    return requests.mapInArrow(decide_batches, schema)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policy", required=True, help="a rule file, or a directory of versions")
    ap.add_argument("--requests", required=True, help="a Parquet file or directory of requests")
    ap.add_argument("--out", required=True, help="where to write the decisions, as Parquet")
    ap.add_argument("--keep", action="append", default=None,
                    help="a column to copy to the output (default: request_id)")
    ap.add_argument("--master", default=None, help="e.g. local[2]; by default spark-submit's")
    a = ap.parse_args()
    builder = SparkSession.builder.appName("lawful-decide")
    if a.master:
        builder = builder.master(a.master)
    spark = builder.getOrCreate()
    try:
        requests = spark.read.parquet(a.requests)
        decided = decide(requests, policy_sources(a.policy), a.keep or ["request_id"])
        decided.write.mode("overwrite").parquet(a.out)
        summary = spark.read.parquet(a.out).groupBy("allowed").count().orderBy("allowed").collect()
        for row in summary:
            print(f"allowed={row['allowed']}: {row['count']} requests")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
