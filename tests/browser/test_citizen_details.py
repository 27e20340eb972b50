"""The citizen's form in Chromium: questions numbered without gaps while follow-ups are
hidden, focus on the error summary after a failed send, the counter's other forms after."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]


def shown_numbers(page) -> list[str]:
    return page.evaluate("""Array.from(document.querySelectorAll('.qn'))
        .filter(n => !n.closest('[hidden]')).map(n => n.textContent)""")


def test_numbers_have_no_gaps_and_a_failed_send_focuses_the_summary(
        live_server, dummy_commune, open_campaign, create_point, phone):
    point = create_point(dummy_commune, "PKS07", label="Quầy 1")
    other = create_point(dummy_commune, "PKS05", label="Quầy 1")
    phone.goto(f"{live_server.url}/f/{point.token}")
    numbers = shown_numbers(phone)
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    assert phone.locator(".qn").count() > len(numbers)  # follow-ups hidden, not counted
    with phone.expect_navigation():
        phone.get_by_role("button", name="Gửi phiếu").tap()
    expect(phone.locator("#loi")).to_be_focused()
    # The summary names the questions by the numbers the page shows.
    for link in phone.locator("#loi a").all():
        target = link.get_attribute("href").removeprefix("#")
        shown = phone.locator(f"#{target} .qn").text_content()
        assert link.text_content() == f"Câu {shown}"
    screenshot(phone, "citizen-error-summary")

    phone.goto(f"{live_server.url}/f/{point.token}/cam-on")
    link = phone.get_by_role("link", name="PKS05", exact=False)
    expect(link).to_have_attribute("href", f"/f/{other.token}")
    screenshot(phone, "citizen-thanks")
