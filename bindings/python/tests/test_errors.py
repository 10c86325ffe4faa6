"""Every way a policy or a request can be refused, and what the exceptions carry."""

from __future__ import annotations

import json
import math

import pytest

import lawful

from conftest import RULES

AT = "2026-03-01T00:00:00Z"


def request(**changes):
    base = {"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address",
            "purpose": "operate_website", "at": AT}
    subject = changes.pop("subject", None)
    base.update(changes)
    if subject is not None:
        base["subject"] = {**base["subject"], **subject}
    return base


def refused(policy, req) -> lawful.RequestError:
    with pytest.raises(lawful.RequestError) as e:
        policy.decide(req)
    return e.value


def test_hierarchy():
    assert issubclass(lawful.PolicyError, lawful.LawfulError)
    assert issubclass(lawful.RequestError, lawful.LawfulError)
    assert issubclass(lawful.LawfulError, Exception)
    assert not issubclass(lawful.RequestError, (TypeError, ValueError, RuntimeError))
    assert lawful.RequestError.__module__ == "lawful"
    # Raised by hand, the attributes are there too.
    assert lawful.RequestError("x").field is None
    assert lawful.PolicyError("x").diagnostics == []


def test_unknown_purpose_with_suggestion(policy):
    e = refused(policy, request(purpose="marketting.communications"))
    assert (e.kind, e.field, e.suggestion) == ("request", "purpose", "marketing.communications")
    assert e.message == "unknown purpose `marketting.communications`"
    assert str(e) == "unknown purpose `marketting.communications` (did you mean `marketing.communications`?)"
    assert e.index is None


def test_unknown_names_everywhere(policy):
    cases = [
        (request(subject={"role": "vistor"}), "subject.role", "visitor"),
        (request(data=["device.ip_adress"]), "data", "device.ip_address"),
        (request(action="disclose", party="mailgunn"), "party", "mailgun"),
        (request(subject={"do_not_trak": True}), "subject.do_not_trak", "do_not_track"),
        (request(purpse="operate_website"), "purpse", "purpose"),
        (request(subject={"consents": {"sael": AT}}), "subject.consents", "sale"),
    ]
    for req, field, suggestion in cases:
        e = refused(policy, req)
        assert (e.field, e.suggestion) == (field, suggestion), str(e)


@pytest.mark.parametrize("req, field", [
    (request(subject={"age": "sixteen"}), "subject.age"),
    (request(subject={"age": -1}), "subject.age"),
    (request(subject={"age": 16.5}), "subject.age"),
    (request(subject={"age": True}), "subject.age"),
    (request(data=5), "data"),
    (request(data=[]), "data"),
    (request(data=["device.ip_address", 5]), "data"),
    (request(at=20260301), "at"),
    (request(at="yesterday"), "at"),
    (request(at="2026-03-01T10:00:00"), "at"),
    (request(collected_at=["2026"]), "collected_at"),
    (request(purpose=None), "purpose"),
    (request(action="read"), "action"),
    (request(subject={"role": 3}), "subject.role"),
    (request(subject={"do_not_track": "yes"}), "subject.do_not_track"),
    (request(subject={"jurisdiction": ["EU", 3]}), "subject.jurisdiction"),
    (request(subject={"consents": ["sale"]}), "subject.consents"),
    (request(subject={"consents": {"sale": 5}}), "subject.consents.sale"),
    (request(party="aws"), "party"),
    (request(action="disclose"), "party"),
    ({"action": "use", "data": "device.ip_address", "purpose": "operate_website"}, "subject"),
])
def test_wrong_types_and_shapes_name_the_field(policy, req, field):
    e = refused(policy, req)
    assert e.kind == "request" and e.field == field, str(e)
    # The message is the CLI's: the same request as JSON text gives the same error.
    with pytest.raises(lawful.RequestError) as as_json:
        policy.decide_json(json.dumps(req))
    assert str(as_json.value) == str(e)


def test_not_a_dict(policy):
    for req in (["use"], "use", 5, None):
        e = refused(policy, req)
        assert e.field is None and "must be a JSON object" in e.message


@pytest.mark.parametrize("value, field", [
    (object(), "subject.jurisdiction"),
    (b"EU", "subject.jurisdiction"),
    (math.nan, "subject.jurisdiction"),
    (math.inf, "subject.jurisdiction"),
    ({1: "EU"}, "subject.jurisdiction"),
    (["EU", ["nested"]], "subject.jurisdiction"),
    ("\ud800", "subject.jurisdiction"),
])
def test_python_values_json_cannot_hold(policy, value, field):
    e = refused(policy, request(subject={"jurisdiction": value}))
    assert e.kind == "request" and e.field is not None and e.field.startswith(field), str(e)


def test_self_containing_and_huge_requests_are_refused_not_crashed(policy):
    loop: list = []
    loop.append(loop)
    e = refused(policy, request(subject={"jurisdiction": loop}))
    assert "nested too deeply" in e.message
    e = refused(policy, request(purpose="x" * (2 << 20)))
    assert "too large" in e.message
    e = refused(policy, request(subject={f"a{i}": True for i in range(300_000)}))
    assert "too large" in e.message


def test_decide_json_refuses_text_that_is_not_json(policy):
    with pytest.raises(lawful.RequestError) as e:
        policy.decide_json("{not json")
    assert e.value.kind == "json" and e.value.field is None
    with pytest.raises(TypeError):
        policy.decide_json({"action": "use"})


def test_decide_many_names_the_bad_request(policy):
    good = request()
    for bad, phase in ((request(subject={"age": "x"}), "read"), (request(purpose="nope"), "named")):
        with pytest.raises(lawful.RequestError) as e:
            policy.decide_many([good, good, bad, good])
        assert e.value.index == 2, phase
        assert str(e.value).startswith("request 2: "), phase
    with pytest.raises(TypeError):
        policy.decide_many(good)
    with pytest.raises(TypeError):
        policy.decide_many(5)
    assert policy.decide_many([]) == []
    assert policy.decide_many(iter([good])) == [policy.decide(good)]


def test_an_iterable_that_raises_raises_its_error(policy):
    def requests():
        yield request()
        raise KeyError("broken source")
    with pytest.raises(KeyError):
        policy.decide_many(requests())


def test_broken_rule_file_gives_line_and_column(tmp_path):
    good = (RULES / "2021-11-11.lawful").read_text(encoding="utf-8")
    lines = good.splitlines()
    # Misspell a purpose in the first rule that names one.
    index = next(i for i, l in enumerate(lines) if "operate_website" in l and not l.lstrip().startswith("purpose"))
    lines[index] = lines[index].replace("operate_website", "operate_websit", 1)
    path = tmp_path / "2021-11-11.lawful"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(lawful.PolicyError) as e:
        lawful.load(path)
    error = e.value
    first = error.diagnostics[0]
    assert first.severity == "error" and first.code.startswith("L")
    assert first.file == str(path) and first.line == index + 1
    assert first.column == lines[index].index("operate_websit") + 1
    assert "operate_websit" in first.message
    assert first.source_line == lines[index]
    assert (error.file, error.line, error.column, error.message) == (first.file, first.line, first.column, first.message)
    assert f"{path}:{index + 1}:{first.column}" in str(error)
    assert "^" in str(first)
    # The directory holding it fails the same way.
    with pytest.raises(lawful.PolicyError) as from_dir:
        lawful.load(str(tmp_path))
    assert from_dir.value.diagnostics[0].line == index + 1


def test_loads_reports_every_error_with_locations():
    with pytest.raises(lawful.PolicyError) as e:
        lawful.loads({"a.lawful": "this is not a policy\n", "b.lawful": "\n\nneither is this\n"})
    located = [(d.file, d.line, d.column) for d in e.value.diagnostics]
    assert ("a.lawful", 1, 1) in located and ("b.lawful", 3, 1) in located
    with pytest.raises(lawful.PolicyError) as one:
        lawful.loads("nonsense")
    assert one.value.file == "<string>"


def test_missing_path_and_empty_directory(tmp_path):
    with pytest.raises(lawful.PolicyError) as missing:
        lawful.load(tmp_path / "nowhere")
    d = missing.value.diagnostics[0]
    assert d.code == "L050" and d.line is None and "does not exist" in d.message and d.help
    assert missing.value.line is None
    with pytest.raises(lawful.PolicyError) as empty:
        lawful.load(tmp_path)
    assert "holds no rule files" in empty.value.diagnostics[0].message
    with pytest.raises(TypeError):
        lawful.load(5)


def test_loads_round_trips_the_filestack_rules(policy):
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(RULES.glob("*.lawful"))
               if not p.name.endswith(".test.lawful")}
    from_text = lawful.loads(sources)
    assert from_text.versions == policy.versions
    req = request()
    assert from_text.decide(req) == policy.decide(req)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_large_batches_report_the_first_bad_request(policy, threads):
    good = request()
    unknown_name = request(purpose="nope")          # refused when names are resolved
    bad_shape = request(subject={"age": "x"})       # refused when read
    def batch(errors, n=6000):
        requests = [good] * n
        for index, bad in errors.items():
            requests[index] = bad
        return requests
    for errors, first in [
        ({5000: bad_shape, 3000: unknown_name}, 3000),
        ({3000: bad_shape, 5000: unknown_name}, 3000),
        ({1023: unknown_name, 1024: bad_shape}, 1023),
        ({5999: unknown_name}, 5999),
    ]:
        for requests in (batch(errors), iter(batch(errors))):
            with pytest.raises(lawful.RequestError) as e:
                policy.decide_many(requests, threads=threads)
            assert e.value.index == first
            assert str(e.value).startswith(f"request {first}: ")


@pytest.mark.parametrize("threads", [1, 2])
def test_a_bad_request_stops_the_reading_of_its_batch(policy, threads):
    # A batch is decided whole or not at all: once a request is refused, the
    # rest of a (possibly endless) generator is not read.
    read = 0
    def requests():
        nonlocal read
        for i in range(100_000):
            read += 1
            yield request(purpose="nope") if i == 2000 else request()
    with pytest.raises(lawful.RequestError) as e:
        policy.decide_many(requests(), threads=threads)
    assert e.value.index == 2000
    assert read < 2000 + 8 * 1024


def test_a_generator_that_raises_mid_batch(policy):
    def requests():
        for i in range(5000):
            if i == 4000:
                raise KeyError("broken source")
            yield request()
    with pytest.raises(KeyError):
        policy.decide_many(requests())
    def requests_with_an_earlier_bad_one():
        for i in range(5000):
            if i == 4000:
                raise KeyError("broken source")
            yield request(purpose="nope") if i == 100 else request()
    with pytest.raises(lawful.RequestError) as e:
        policy.decide_many(requests_with_an_earlier_bad_one())
    assert e.value.index == 100
