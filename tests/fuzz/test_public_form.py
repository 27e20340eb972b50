"""The citizen's form under random input: a page (the form again, a notice) or a thank-you,
never a 5xx; a response stored whole or not at all. See tests/fuzz/__init__.py."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

import pytest
from hypothesis import event
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from survey_app.extensions import db
from survey_app.models import CollectionPoint
from tests.fixtures.data import PKS05_ANSWERS
from tests.fuzz import assert_no_server_error
from tests.fuzz import assert_whole
from tests.fuzz import counts
from tests.fuzz import fuzz_settings
from tests.fuzz import nasty_text


@pytest.fixture
def point(dummy_commune, open_campaign, create_point) -> CollectionPoint:
    return create_point(dummy_commune, "PKS05")


@pytest.fixture
def page_fields(client, point) -> dict[str, str]:
    html = client.get(f"/f/{point.token}").get_data(as_text=True)
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', html))


QUESTIONS = [*PKS05_ANSWERS, "procedure_field_other", "wait_reason", "late_notified",
             "extra_payment_field"]
#: A field is left as the page gave it (None), replaced by random text, or emptied.
FIELD = st.one_of(st.none(), nasty_text(), st.just(""))
#: Where the browser says the post comes from: another site's page gets the form again
#: before anything else is looked at, rarely, so that the answers are what gets fuzzed.
SITE = st.integers(0, 7).flatmap(lambda n: st.sampled_from([
    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "null"},
    {"Origin": "https://example.org"}]) if n == 3 else st.sampled_from([
        {}, {"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://localhost"}]))
#: Mostly the page's own, so that some answers get as far as being stored.
SUBMISSION_ID = st.integers(0, 3).flatmap(lambda n: nasty_text() if n == 3 else st.none())
ANSWER = st.one_of(
    st.lists(nasty_text(60), max_size=3),
    # "khac" opens the free-text question, "cho_rat_lau" the wait reasons.
    st.sampled_from([[value] for value in [*PKS05_ANSWERS.values(), "khac", "cho_rat_lau"]]),
)


@fuzz_settings(60)
@given(answers=st.dictionaries(st.sampled_from(QUESTIONS), ANSWER, max_size=4),
       keep_valid=st.integers(0, 3).map(bool), version_id=FIELD, ticket=FIELD,
       site=SITE, submission_id=SUBMISSION_ID)
def test_random_answers_get_a_page_and_store_whole_or_nothing(
        client, point, page_fields, answers, keep_valid, version_id, ticket, site,
        submission_id):
    fields = MultiDict({**page_fields, "submission_id": str(uuid.uuid4())})
    for name, value in (("version_id", version_id), ("ticket", ticket),
                        ("submission_id", submission_id)):
        if value is not None:
            fields[name] = value
    base = {qid: [value] for qid, value in PKS05_ANSWERS.items()} if keep_valid else {}
    for qid, values in {**base, **answers}.items():
        fields.setlist(qid, values)
    before = counts()
    reply = client.post(f"/f/{point.token}", data=fields, headers=site)
    assert_no_server_error(reply)
    event(f"HTTP {reply.status_code}")
    after = counts()
    stored = after.responses - before.responses
    assert_whole(before, after, stored)
    assert stored in (0, 1)
    if reply.status_code == 303:
        assert stored == 1 or submission_id is not None  # a resend of an id made here
    else:
        assert stored == 0
        assert 'lang="vi"' in reply.get_data(as_text=True)


@fuzz_settings(40)
@given(token=nasty_text(80), post=st.booleans())
def test_random_tokens_get_a_page(client, point, token, post):
    url = "/f/" + quote(token, safe="")
    reply = client.post(url, data=PKS05_ANSWERS) if post else client.get(url)
    assert_no_server_error(reply)
    db.session.rollback()
