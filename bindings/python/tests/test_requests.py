"""Building requests from Python: keyword helpers, datetimes, collections."""

from __future__ import annotations

import datetime as dt

import pytest

import lawful

UTC = dt.timezone.utc
AT = "2026-03-01T00:00:00Z"


def use(**fields):
    subject = {"role": fields.pop("role", "visitor"), **fields.pop("subject", {})}
    return {"action": "use", "subject": subject, **fields}


def test_may_use_is_decide(policy):
    by_keywords = policy.may_use(role="visitor", data="device.ip_address", purpose="operate_website", at=AT)
    by_dict = policy.decide(use(data="device.ip_address", purpose="operate_website", at=AT))
    assert by_keywords == by_dict
    assert by_keywords.allowed and by_keywords.rule is not None


def test_may_disclose_is_decide(policy):
    consents = {"marketing.communications": "2026-01-01T00:00:00Z"}
    by_keywords = policy.may_disclose(
        role="visitor", data=["contact.email"], purpose="marketing.communications",
        party="mailgun", at=AT, provided_contact=True, consents=consents,
    )
    by_dict = policy.decide({
        "action": "disclose", "party": "mailgun", "data": ["contact.email"],
        "purpose": "marketing.communications", "at": AT,
        "subject": {"role": "visitor", "provided_contact": True, "consents": consents},
    })
    assert by_keywords == by_dict
    assert by_keywords.allowed and by_keywords.basis == "consent"


def test_keyword_attributes_age_and_collected_at(policy):
    child = policy.may_use(role="visitor", data="device.ip_address", purpose="operate_website", at=AT, age=16)
    assert not child and "delete" in {o["kind"] for o in child.obligations}
    dnt = policy.may_use(role="visitor", data="activity.cookie_id", purpose="marketing.advertising",
                         at=AT, do_not_track=True)
    assert not dnt
    assert policy.may_use(role="visitor", data="activity.cookie_id", purpose="marketing.advertising",
                          at=AT, do_not_track=False)


def test_none_keywords_are_left_out(policy):
    plain = policy.may_use(role="visitor", data="device.ip_address", purpose="operate_website", at=AT)
    with_nones = policy.may_use(role="visitor", data="device.ip_address", purpose="operate_website", at=AT,
                                collected_at=None, age=None, consents=None, revocations=None,
                                do_not_track=None)
    assert plain == with_nones


def test_may_use_with_a_party_says_a_use_has_none(policy):
    with pytest.raises(lawful.RequestError) as refused:
        policy.may_use(role="visitor", data="device.ip_address", purpose="operate_website", party="aws")
    assert refused.value.field == "party"
    assert "only for `disclose`" in refused.value.message


def test_keywords_are_keyword_only(policy):
    with pytest.raises(TypeError):
        policy.may_use("visitor", "device.ip_address", "operate_website")
    with pytest.raises(TypeError):
        policy.may_disclose(role="visitor", data="device.ip_address", purpose="operate_website")


@pytest.mark.parametrize("data", [
    "device.ip_address",
    ["device.ip_address", "activity.visit"],
    ("device.ip_address", "activity.visit"),
    {"device.ip_address", "activity.visit"},
    frozenset({"activity.visit", "device.ip_address"}),
])
def test_data_as_str_list_tuple_or_set(policy, data):
    decision = policy.may_use(role="visitor", data=data, purpose="operate_website", at=AT)
    as_list = [data] if isinstance(data, str) else sorted(data)
    assert decision == policy.decide(use(data=as_list, purpose="operate_website", at=AT))
    assert decision.allowed


def test_a_list_is_allowed_only_if_every_category_is(policy):
    assert not policy.may_use(role="visitor", data=["device.ip_address", "file_embedded"],
                              purpose="operate_website", at=AT)


REVOKED = {
    "consents": {"marketing.communications": "2026-01-01T00:00:00Z"},
    "revocations": {"marketing.communications": "2026-02-01"},
}


@pytest.mark.parametrize("at", [
    "2026-03-01T00:00:00Z",
    "2026-03-01",
    "2026-03-01T01:00:00+01:00",
    dt.datetime(2026, 3, 1),                                   # naive: taken as UTC
    dt.datetime(2026, 3, 1, tzinfo=UTC),
    dt.datetime(2026, 3, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    dt.date(2026, 3, 1),
])
def test_times_as_text_datetime_or_date(policy, at):
    expected = policy.decide(use(data="contact.email", purpose="marketing.communications", at=AT,
                                 subject={"provided_contact": True, **REVOKED}))
    by_dict = policy.decide(use(data="contact.email", purpose="marketing.communications", at=at,
                                subject={"provided_contact": True, **REVOKED}))
    by_keywords = policy.may_use(role="visitor", data="contact.email", purpose="marketing.communications",
                                 at=at, provided_contact=True, **REVOKED)
    assert by_dict == expected == by_keywords
    assert expected.rule is not None and not expected.allowed


def test_datetimes_in_consents_and_revocations(policy):
    def decide(consented, revoked):
        return policy.may_use(
            role="visitor", data="contact.email", purpose="marketing.communications",
            at=dt.datetime(2026, 3, 1, 12, tzinfo=UTC), provided_contact=True,
            consents={"marketing.communications": consented},
            revocations={"marketing.communications": revoked},
        )

    # Revocation is honoured from its instant on, never before: one second either side.
    consented = dt.datetime(2026, 1, 1, tzinfo=UTC)
    assert not decide(consented, dt.datetime(2026, 3, 1, 11, 59, 59, tzinfo=UTC))
    assert decide(consented, dt.datetime(2026, 3, 1, 12, 0, 1, tzinfo=UTC))
    # The same instants, given naive (UTC) and in another zone.
    assert not decide(dt.datetime(2026, 1, 1), dt.datetime(2026, 3, 1, 11, 59, 59))
    tokyo = dt.timezone(dt.timedelta(hours=9))
    assert decide(consented, dt.datetime(2026, 3, 1, 21, 0, 1, tzinfo=tokyo))
    assert not decide(consented, dt.datetime(2026, 3, 1, 20, 59, 59, tzinfo=tokyo))


def test_microseconds_are_kept(policy):
    at = dt.datetime(2026, 3, 1, 12, 0, 0, 500_000, tzinfo=UTC)
    def decide(revoked):
        return policy.may_use(role="visitor", data="contact.email", purpose="marketing.communications",
                              at=at, provided_contact=True,
                              consents={"marketing.communications": "2026-01-01"},
                              revocations={"marketing.communications": revoked})
    assert not decide(dt.datetime(2026, 3, 1, 12, 0, 0, 499_999, tzinfo=UTC))
    assert decide(dt.datetime(2026, 3, 1, 12, 0, 0, 500_001, tzinfo=UTC))


@pytest.mark.parametrize("instant", [
    dt.datetime(2026, 3, 1, 12, 0, 0, 250_000, tzinfo=UTC),
    dt.datetime(2026, 3, 1, 12, 0, 0, 250_000),                # naive: taken as UTC
    dt.datetime(1969, 12, 31, 23, 59, 59, 999_999),            # before 1970
    dt.datetime(1, 1, 1, 0, 0, 1, tzinfo=UTC),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999_998),
    dt.date(1969, 12, 31),
])
def test_datetimes_are_read_to_the_microsecond(policy, instant):
    # Data cannot be collected after `at`: a `collected_at` given as a datetime
    # must be the very microsecond its text names, alone and in a batch.
    def text(t):
        if not isinstance(t, dt.datetime):
            t = dt.datetime(t.year, t.month, t.day)
        return t.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"

    def refused(at, batch):
        request = use(data="device.ip_address", purpose="operate_website", at=text(at),
                      collected_at=instant)
        try:
            policy.decide_many([request]) if batch else policy.decide(request)
        except lawful.RequestError as e:
            assert e.field == "collected_at"
            return True
        return False

    one = dt.timedelta(microseconds=1)
    start = instant if isinstance(instant, dt.datetime) else dt.datetime(instant.year, instant.month, instant.day)
    for batch in (False, True):
        assert refused(start - one, batch)
        assert not refused(start, batch)
        assert not refused(start + one, batch)


def test_collected_at_selects_the_version(policy):
    newest = policy.versions[-1]
    assert policy.may_use(role="visitor", data="device.ip_address", purpose="operate_website").version == newest
    first = policy.may_use(role="visitor", data="device.ip_address", purpose="operate_website",
                           collected_at=dt.date(1999, 1, 1))
    assert not first and first.version is None and first.rule is None


def test_at_defaults_to_now(policy):
    later = dt.datetime.now(UTC) + dt.timedelta(days=1)
    def decide(**times):
        return policy.may_use(role="visitor", data="contact.email", purpose="marketing.communications",
                              provided_contact=True, consents={"marketing.communications": "2020-01-01"},
                              revocations={"marketing.communications": later}, **times)
    assert decide()                       # not yet revoked now
    assert not decide(at=later + dt.timedelta(seconds=1))


def test_str_subclasses_and_mappings_are_read(policy):
    import collections
    import enum

    class Purpose(str, enum.Enum):
        OPERATE = "operate_website"

    request = collections.OrderedDict(use(data="device.ip_address", purpose=Purpose.OPERATE, at=AT))
    assert policy.decide(request) == policy.decide(use(data="device.ip_address", purpose="operate_website", at=AT))

    class Frozen(collections.abc.Mapping):
        def __init__(self, d):
            self.d = d
        def __getitem__(self, k):
            return self.d[k]
        def __iter__(self):
            return iter(self.d)
        def __len__(self):
            return len(self.d)

    assert policy.decide(Frozen(use(data="device.ip_address", purpose="operate_website", at=AT))).allowed


def test_ages_are_whole_numbers_as_in_json(policy):
    # As in JSON, 16.0 is not a whole number of years: the readers agree on it.
    with pytest.raises(lawful.RequestError) as refused:
        policy.decide(use(data="device.ip_address", purpose="operate_website", at=AT, subject={"age": 16.0}))
    assert refused.value.field == "subject.age"
    with pytest.raises(lawful.RequestError):
        policy.may_use(role="visitor", data="device.ip_address", purpose="operate_website", age=16.0)


def test_an_attribute_given_as_none_is_not_given(policy):
    plain = use(data="activity.cookie_id", purpose="marketing.advertising", at=AT)
    with_none = use(data="activity.cookie_id", purpose="marketing.advertising", at=AT,
                    subject={"do_not_track": None})
    assert policy.decide(with_none) == policy.decide(plain)
