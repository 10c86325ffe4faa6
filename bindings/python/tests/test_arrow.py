"""decide_arrow: a table of requests decides as `decide` decides each row.

The tables are built from the acceptance requests and from random requests made
of valid and invalid pieces (unknown names, bad times, a party on a use, ages out
of range, consents for unknown purposes), then encoded in the layouts producers
use (plain, large and view strings, dictionaries, timestamps, dates, maps,
structs, a nested `subject`). Every row must come out as `decide` answers the
request dict it stands for: the same decision, or the same error.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed: run bindings/python/run-tests.sh")
pc = pytest.importorskip("pyarrow.compute")

import lawful

from conftest import CASES

UTC = dt.timezone.utc
ATTRIBUTES = {"do_not_track": pa.bool_(), "provided_contact": pa.bool_(), "restricted": pa.bool_(),
              "guardian_involved": pa.bool_(), "jurisdiction": pa.string()}
TIMES = pa.map_(pa.string(), pa.string())
SCHEMA = pa.schema([
    ("action", pa.string()), ("role", pa.string()), ("data", pa.list_(pa.string())),
    ("purpose", pa.string()), ("party", pa.string()), ("at", pa.string()),
    ("collected_at", pa.string()), ("age", pa.int64()), ("consents", TIMES), ("revocations", TIMES),
    *ATTRIBUTES.items(),
])

ROLES = ["visitor", "account_user", "file_subject", "vistor"]
CATEGORIES = ["device.ip_address", "contact.email", "activity.cookie_id", "account.billing_contact",
              "file_embedded", "activity.visit", "contact.emial"]
PURPOSES = ["operate_website", "marketing.communications", "marketing.advertising", "customer.billing",
            "file_processing", "legal.compliance", "sale", "improve_offering"]
PARTIES = ["mailgun", "stripe", "aws", "facebook", "google_ads", "customer", "mailgunn"]
TIMES_TEXT = ["2026-03-01", "2026-03-01T10:00:00Z", "2025-06-01T08:30:00.25+02:00", "2019-01-01", "2026-02-30",
              "yesterday"]


def random_request(rng: random.Random) -> dict:
    """A request of valid pieces, with an invalid one now and then."""
    disclose = rng.random() < 0.4
    request = {
        "action": "disclose" if disclose else ("use" if rng.random() < 0.97 else "share"),
        "role": rng.choice(ROLES[:3]) if rng.random() < 0.95 else ROLES[3],
        "data": rng.sample(CATEGORIES[:6], rng.randint(1, 2)) if rng.random() < 0.95 else rng.choice([[], None, [CATEGORIES[6]]]),
        "purpose": rng.choice(PURPOSES[:7]) if rng.random() < 0.95 else PURPOSES[7],
        "party": (rng.choice(PARTIES[:6]) if rng.random() < 0.95 else rng.choice([None, PARTIES[6]])) if disclose
        else (None if rng.random() < 0.97 else "aws"),
        "at": rng.choice(TIMES_TEXT[:3]) if rng.random() < 0.9 else rng.choice([None, *TIMES_TEXT[4:]]),
        "collected_at": None if rng.random() < 0.7 else rng.choice(TIMES_TEXT[:4]),
        "age": None if rng.random() < 0.6 else rng.choice([8, 15, 16, 34, 70, 250, -1]),
    }
    for name in ("consents", "revocations"):
        if rng.random() < 0.3:
            purposes = rng.sample(PURPOSES[:7], rng.randint(1, 2))
            if rng.random() < 0.05:
                purposes.append(PURPOSES[7])
            request[name] = {p: rng.choice(TIMES_TEXT[:4]) for p in purposes}
    for name, kind in ATTRIBUTES.items():
        if rng.random() < 0.3:
            request[name] = rng.random() < 0.5 if kind == pa.bool_() else rng.choice(["US-CA", "EU", "unknown"])
    return request


def flat(request: dict) -> dict:
    """An acceptance request as a row of the flat columns."""
    row = {key: value for key, value in request.items() if key != "subject"}
    row.update(request["subject"])
    return row


def as_dict(row: dict) -> dict:
    """The request dict a row stands for: nulls left out."""
    subject_keys = {"role", "age", "consents", "revocations", *ATTRIBUTES}
    request = {k: v for k, v in row.items() if k not in subject_keys and v is not None}
    request["subject"] = {k: v for k, v in row.items() if k in subject_keys and v is not None}
    return request


def expected(policy, row: dict) -> dict:
    """What decide says of a row's request, as the columns show it."""
    try:
        d = policy.decide(as_dict(row))
    except lawful.RequestError as e:
        return {"allowed": None, "rule": None, "basis": None, "version": None, "obligations": None, "error": str(e)}
    return {"allowed": d.allowed, "rule": d.rule, "basis": d.basis, "version": d.version,
            "obligations": [o["kind"] for o in d.obligations], "error": None}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    rng = random.Random(20261202)
    made = [flat(c["request"]) for c in CASES] + [random_request(rng) for _ in range(3_000)]
    return [{name: row.get(name) for name in SCHEMA.names} for row in made]


@pytest.fixture(scope="module")
def table(rows) -> pa.Table:
    batch = pa.Table.from_pylist(rows, schema=SCHEMA)
    # Several chunks of uneven size, to cross the work's boundaries.
    return pa.Table.from_batches(batch.to_batches(max_chunksize=700))


@pytest.fixture(scope="module")
def answers(policy, rows) -> list[dict]:
    return [expected(policy, row) for row in rows]


def test_every_row_decides_as_decide_does(policy, table, answers):
    out = policy.decide_arrow(table)
    assert isinstance(out, pa.Table) and out.num_rows == table.num_rows
    got = out.to_pylist()
    for i, (g, e) in enumerate(zip(got, answers)):
        assert g == e, (i, table.slice(i, 1).to_pylist())
    decided = sum(a["error"] is None for a in answers)
    assert 1_000 < decided < len(answers)        # both decisions and errors are exercised
    assert any(a["allowed"] for a in answers) and any(a["allowed"] is False for a in answers)


def test_one_thread_and_many_agree(policy, table):
    assert policy.decide_arrow(table, threads=1).to_pylist() == policy.decide_arrow(table, threads=3).to_pylist()


def test_a_record_batch_gives_a_record_batch(policy, table, answers):
    batch = table.combine_chunks().to_batches()[0]
    out = policy.decide_arrow(batch)
    assert isinstance(out, pa.RecordBatch)
    assert out.to_pylist() == answers


def test_an_error_is_never_an_allow(policy, table):
    out = policy.decide_arrow(table)
    errors = pc.is_valid(out["error"])
    assert pc.sum(errors).as_py() > 0
    assert pc.all(pc.is_null(pc.filter(out["allowed"], errors))).as_py()


def encode(table: pa.Table, how: str) -> pa.Table:
    """The same requests in another layout."""
    columns = {name: table[name] for name in table.column_names}
    names = ["action", "role", "purpose", "party", "jurisdiction"]
    if how == "dictionary":
        for name in names:
            columns[name] = pc.dictionary_encode(columns[name])
        columns["data"] = columns["data"].cast(pa.list_(pa.dictionary(pa.int8(), pa.string())))
    elif how in ("large", "view"):
        kind = pa.large_string() if how == "large" else pa.string_view()
        for name in names + ["at", "collected_at"]:
            columns[name] = columns[name].cast(kind)
        columns["data"] = columns["data"].cast(pa.large_list(kind))
    elif how == "subject":
        subject = ["role", "age", "consents", "revocations", *ATTRIBUTES]
        struct = pa.StructArray.from_arrays([columns[n].combine_chunks() for n in subject], names=subject)
        columns = {n: c for n, c in columns.items() if n not in subject}
        columns["subject"] = struct
    return pa.table(columns)


@pytest.mark.parametrize("how", ["dictionary", "large", "view", "subject"])
def test_layouts_decide_alike(policy, table, answers, how):
    assert policy.decide_arrow(encode(table, how)).to_pylist() == answers


def test_times_as_timestamps_and_dates_and_maps_as_structs(policy, rows):
    # Rows whose times are all valid, with times as timestamps (any unit, with or
    # without a zone) and dates (for the collection days), and consents as a struct
    # with a field per purpose.
    def instant(text):
        if text is None:
            return None
        if len(text) == 10:
            return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)

    valid = [r for r in rows if all(
        t is None or t in TIMES_TEXT[:4] for t in [r["at"], r["collected_at"],
                                                    *(r["consents"] or {}).values(), *(r["revocations"] or {}).values()])
        and (r["collected_at"] is None or len(r["collected_at"]) == 10)]
    assert len(valid) > 1_000
    table = pa.Table.from_pylist(valid, schema=SCHEMA)
    answers = [expected(policy, r) for r in valid]
    at = pa.array([instant(r["at"]) for r in valid], pa.timestamp("us", tz="UTC"))
    purposes = sorted({p for r in valid for p in (r["consents"] or {})})
    consents = pa.StructArray.from_arrays(
        [pa.array([instant((r["consents"] or {}).get(p)) for r in valid], pa.timestamp("ms")) for p in purposes],
        names=purposes)
    collected = pa.array([instant(r["collected_at"]).date() if r["collected_at"] else None for r in valid], pa.date32())
    for name, column in [("at", at), ("consents", consents), ("collected_at", collected)]:
        table = table.set_column(table.schema.get_field_index(name), name, column)
    assert policy.decide_arrow(table).to_pylist() == answers
    nanos = table.set_column(table.schema.get_field_index("at"), "at", at.cast(pa.timestamp("ns", tz="Europe/Paris")))
    assert policy.decide_arrow(nanos).to_pylist() == answers


def test_rows_alike_but_for_their_times_decide_as_decide_does(policy):
    # A worker remembers the decision of a row and gives it to a later row equal in
    # all but its times when those times are in the same order (the engine only
    # compares times). Here a few request shapes repeat with times drawn from a
    # handful of instants a second or a day apart, so every order (and every tie)
    # of `at`, `collected_at`, consents and revocations occurs again and again; the
    # versions' dates are among the collection days.
    rng = random.Random(20261201)
    instants = ["2021-11-10T23:59:59Z", "2021-11-11T00:00:00Z", "2026-02-28T12:00:00Z",
                "2026-03-01T00:00:00Z", "2026-03-01T00:00:01Z", "2026-03-02T00:00:00Z"]
    shapes = [
        ("use", "visitor", ["contact.email"], "marketing.communications", None, {"provided_contact": True}),
        ("disclose", "visitor", ["contact.email"], "marketing.communications", "mailgun", {"provided_contact": True}),
        ("use", "account_user", ["contact.email"], "customer.provide_services", None, {}),
        ("use", "visitor", ["device.ip_address"], "operate_website", None, {"do_not_track": True}),
        ("use", "visitor", ["activity.cookie_id"], "marketing.advertising", None, {"jurisdiction": "EU"}),
        # A long text: too long a key to remember, so decided afresh each time.
        ("use", "visitor", ["activity.cookie_id"], "marketing.advertising", None, {"jurisdiction": "E" * 600}),
    ]
    purposes = ["marketing.communications", "marketing", "customer.provide_services", "marketing.advertising"]
    rows = []
    for _ in range(6_000):
        action, role, data, purpose, party, attributes = rng.choice(shapes)
        row = {name: None for name in SCHEMA.names}
        row.update(action=action, role=role, data=data, purpose=purpose, party=party, **attributes,
                   at=rng.choice(instants), age=rng.choice([None, 34]))
        if rng.random() < 0.3:
            row["collected_at"] = rng.choice(instants)
        for name in ("consents", "revocations"):
            if rng.random() < 0.6:
                row[name] = {p: rng.choice(instants) for p in rng.sample(purposes, rng.randint(1, 2))}
        rows.append(row)
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    answers = [expected(policy, row) for row in rows]
    assert len({(a["allowed"], a["rule"], a["error"]) for a in answers}) > 5
    for threads in (1, 2):
        got = policy.decide_arrow(table, threads=threads).to_pylist()
        for i, (g, e) in enumerate(zip(got, answers)):
            assert g == e, (i, rows[i])


def test_a_request_id_column_is_checked_as_decide_checks_it(policy):
    # `request_id` is a field of a request: decide_arrow takes its column (the
    # answers are in the rows' order, so it is not repeated), and refuses an empty
    # or too long id in a row as decide does.
    ids = ["req-1", None, "", "x" * 300, "req-5"]
    rows = [{name: None for name in SCHEMA.names} | {
        "action": "use", "role": "visitor", "data": ["device.ip_address"], "purpose": "operate_website",
        "at": "2026-03-01", "request_id": i} for i in ids]
    table = pa.Table.from_pylist(rows, schema=SCHEMA.append(pa.field("request_id", pa.string())))
    got = policy.decide_arrow(table).to_pylist()
    assert got == [expected(policy, row) for row in rows]
    assert [g["allowed"] for g in got] == [True, True, None, None, True]
    assert "request_id" in got[2]["error"] and "request_id" in got[3]["error"]
    with pytest.raises(lawful.RequestError) as wrong:
        policy.decide_arrow(table.set_column(table.schema.get_field_index("request_id"), "request_id",
                                             pa.array(range(5))))
    assert wrong.value.field == "request_id"


def test_a_purpose_given_twice_in_a_map_is_an_error(policy):
    table = pa.table({
        "action": ["use"], "role": ["visitor"], "data": ["contact.email"], "purpose": ["marketing.communications"],
        "at": ["2026-03-01"], "provided_contact": [True],
        "consents": pa.array([[("marketing.communications", "2026-01-01"), ("marketing.communications", "2026-02-01")]],
                             pa.map_(pa.string(), pa.string())),
    })
    [row] = policy.decide_arrow(table).to_pylist()
    assert row["allowed"] is None and "twice" in row["error"]


def test_column_errors_name_the_column(policy):
    base = {"action": ["use"], "role": ["visitor"], "data": ["device.ip_address"], "purpose": ["operate_website"]}
    with pytest.raises(lawful.RequestError) as unknown:
        policy.decide_arrow(pa.table({**base, "do_not_trak": [True]}))
    assert unknown.value.field == "do_not_trak" and unknown.value.suggestion == "do_not_track"
    with pytest.raises(lawful.RequestError) as wrong:
        policy.decide_arrow(pa.table({**base, "do_not_track": ["yes"]}))
    assert wrong.value.field == "do_not_track" and "booleans" in wrong.value.message
    with pytest.raises(lawful.RequestError) as missing:
        policy.decide_arrow(pa.table({k: v for k, v in base.items() if k != "purpose"}))
    assert missing.value.field == "purpose"
    with pytest.raises(lawful.RequestError) as age:
        policy.decide_arrow(pa.table({**base, "age": [34.0]}))
    assert age.value.field == "age"
    with pytest.raises(TypeError):
        policy.decide_arrow([{"action": "use"}])


def test_an_empty_table_gives_an_empty_table(policy):
    empty = pa.Table.from_pylist([], schema=SCHEMA)
    out = policy.decide_arrow(empty)
    assert out.num_rows == 0 and out.column_names == ["allowed", "rule", "basis", "version", "obligations", "error"]


def test_requests_without_at_are_decided_now(policy):
    table = pa.table({"action": ["use"], "role": ["visitor"], "data": ["device.ip_address"],
                      "purpose": ["operate_website"], "at": pa.array([None], pa.string())})
    [row] = policy.decide_arrow(table).to_pylist()
    assert row["allowed"] is True and row["version"] == policy.versions[-1]


def test_pandas_and_polars_frames(policy, table, answers):
    pd = pytest.importorskip("pandas", reason="pandas is not installed: run bindings/python/run-tests.sh")
    pl = pytest.importorskip("polars", reason="polars is not installed: run bindings/python/run-tests.sh")
    assert policy.decide_arrow(pl.from_arrow(table)).to_pylist() == answers
    # pandas keeps Arrow's types with ArrowDtype; with NumPy types an age column
    # with gaps turns to floats, so give the schema back when converting.
    assert policy.decide_arrow(table.to_pandas(types_mapper=pd.ArrowDtype)).to_pylist() == answers
    assert policy.decide_arrow(pa.Table.from_pandas(table.to_pandas(), schema=table.schema)).to_pylist() == answers
