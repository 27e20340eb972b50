"""The offline sync under random JSON: an answer in JSON for the whole request and for each
item, never a 5xx; exactly the items said stored are stored, whole. See tests/fuzz/__init__.py."""

from __future__ import annotations

import json
import uuid

from hypothesis import event
from hypothesis import given
from hypothesis import strategies as st

from tests.app.field.test_sync import PKS05_ANSWERS
from tests.fuzz import assert_no_server_error
from tests.fuzz import assert_whole
from tests.fuzz import counts
from tests.fuzz import fuzz_settings
from tests.fuzz import nasty_text

TEXT = nasty_text(surrogates=True)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                   TEXT)
JSON = st.recursive(SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)), max_leaves=12)
#: An id as a phone might send it, or as a fuzzer would: a list, a string, 2**31, "²".
ID = st.one_of(JSON, st.integers(min_value=-1, max_value=2**63), st.sampled_from(["²", "5"]))


@st.composite
def items(draw, world, pks05):
    """A submission made from a good one, with some of its fields replaced."""
    item = {"submission_id": str(uuid.uuid4()), "campaign_form_id": pks05.id,
            "version_id": pks05.form.current_version().id, "commune_id": world.own.id,
            "answers": dict(PKS05_ANSWERS), "duration_seconds": 95}
    for name in draw(st.sets(st.sampled_from(sorted(item)))):
        item[name] = draw(ID if name.endswith("_id") else JSON)
    if isinstance(item["answers"], dict):
        for qid in draw(st.sets(st.sampled_from([*PKS05_ANSWERS, "procedure_field_other"]))):
            item["answers"][qid] = draw(JSON)
    # Paradata as the app sends it, with any of its fields replaced: never a reason to
    # refuse the sheet (forms/paradata.py).
    number = st.one_of(st.integers(-2**70, 2**70), st.floats(allow_nan=False), JSON)
    item["paradata"] = draw(st.one_of(JSON, st.fixed_dictionaries({}, optional={
        "started_ms": number, "ended_ms": number, "sent_ms": number,
        "seconds": st.dictionaries(st.sampled_from([*PKS05_ANSWERS, "x", "\x00"]), number),
        "changes": st.one_of(JSON, st.dictionaries(st.sampled_from([*PKS05_ANSWERS]),
                                                   number))})))
    return draw(st.one_of(st.just(item), JSON)) if draw(st.integers(0, 9)) == 0 else item


@fuzz_settings(60)
@given(data=st.data())
def test_random_submissions_are_answered_one_by_one(surveyor, field_world, pks05, data):
    batch = data.draw(st.lists(items(field_world, pks05), min_size=1, max_size=4))
    body = json.dumps({"submissions": batch})
    before = counts()
    reply = surveyor.post("/thuc-dia/dong-bo", data=body, content_type="application/json")
    assert_no_server_error(reply)
    assert reply.is_json
    if reply.status_code == 400:
        # Infinity or NaN somewhere: JSON cannot hold them, so the body is refused whole.
        assert "Infinity" in body
        assert_whole(before, counts(), 0)
        return
    results = reply.json["results"]
    assert len(results) == len(batch)
    for result in results:
        event(f"item {result['status']}")
    assert {r["code"] for r in results} <= {201, 200, 409, 422, 403}
    assert_whole(before, counts(), sum(r["status"] == "stored" for r in results))


@fuzz_settings(40)
@given(body=st.one_of(JSON.map(json.dumps), st.binary(max_size=200),
                      st.integers(1, 5000).map(lambda n: '{"submissions":' + "[" * n)))
def test_random_bodies_get_a_json_answer(surveyor, field_world, body):
    before = counts()
    reply = surveyor.post("/thuc-dia/dong-bo", data=body, content_type="application/json")
    assert_no_server_error(reply)
    assert reply.is_json
    assert_whole(before, counts(), sum(r["status"] == "stored"
                                       for r in reply.json.get("results", [])))
