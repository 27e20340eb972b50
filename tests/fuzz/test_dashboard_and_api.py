"""The dashboard's and the API's parameters under random values: a page or JSON, never a
5xx; reading writes nothing. See tests/fuzz/__init__.py."""

from __future__ import annotations

from urllib.parse import quote
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fixtures.field import PASSWORD
from tests.fuzz import assert_no_server_error
from tests.fuzz import counts
from tests.fuzz import fuzz_settings
from tests.fuzz import nasty_text

PARAMETERS = ["campaign", "grouping", "form", "rulebook", "until", "kind", "partial", "lang"]
VALUE = st.one_of(nasty_text(), st.integers(-1, 2**64).map(str), st.dates().map(str),
                  st.sampled_from(["PKS05", "six_month", "year", "1"]))
QUERY = st.dictionaries(st.sampled_from(PARAMETERS), VALUE, max_size=4)
PATH_ID = st.one_of(st.integers(0, 2**70), st.sampled_from(["1", "²", "-1", "0x1", "1e3"]),
                    nasty_text(12))
DASHBOARD_PAGES = ["/bang-dieu-khien/", "/bang-dieu-khien/xu-huong", "/bang-dieu-khien/bao-cao",
                   "/bang-dieu-khien/xa/{id}", "/bang-dieu-khien/xuat/phieu.csv",
                   "/bang-dieu-khien/xuat/ket-qua.xlsx"]
API_PAGES = ["/api/v1/campaigns", "/api/v1/campaigns/{id}/summary",
             "/api/v1/campaigns/{id}/communes", "/api/v1/campaigns/{id}/communes/{id}"]


@pytest.fixture
def steering(results_world, login):
    return login("steering", PASSWORD)


def url(template: str, path_id, query: dict) -> str:
    path = template.replace("{id}", quote(str(path_id), safe=""))
    return f"{path}?{urlencode(query)}" if query else path


@fuzz_settings(60)
@given(page=st.sampled_from(DASHBOARD_PAGES), path_id=PATH_ID, query=QUERY)
def test_dashboard_parameters_get_a_page(steering, results_world, page, path_id, query):
    before = counts()
    reply = steering.get(url(page, path_id, query))
    assert_no_server_error(reply)
    assert counts() == before


@fuzz_settings(60)
@given(page=st.sampled_from(API_PAGES), path_id=st.one_of(PATH_ID, st.just("{campaign}")),
       query=QUERY)
def test_api_parameters_get_json(steering, results_world, page, path_id, query):
    if path_id == "{campaign}":
        path_id = results_world.campaign.id
    reply = steering.get(url(page, path_id, query))
    assert_no_server_error(reply)
    assert reply.is_json, reply.get_data(as_text=True)[:300]
    assert "error" in reply.json if reply.status_code >= 400 else "error" not in reply.json
