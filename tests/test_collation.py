"""Names in Vietnamese order, and a search that finds them typed with or without marks."""

from __future__ import annotations

from survey_app.collation import by_name
from survey_app.collation import matches


def test_the_pairs_from_the_issue_sort_as_a_vietnamese_reader_expects():
    names = ["Phường Yên Dũng", "Phường Trạm Lộ", "Phường Tân An", "Phường Đa Mai"]
    ordered = by_name(names)
    assert ordered.index("Phường Tân An") < ordered.index("Phường Trạm Lộ")
    assert ordered.index("Phường Đa Mai") < ordered.index("Phường Yên Dũng")
    assert ordered == ["Phường Đa Mai", "Phường Tân An", "Phường Trạm Lộ", "Phường Yên Dũng"]


def test_letters_with_marks_follow_their_base_letter_and_numbers_count():
    assert by_name(["Xã Đông", "Xã Dương", "Xã Ân", "Xã Ăn", "Xã An", "Xã Bắc"]) == [
        "Xã An", "Xã Ăn", "Xã Ân", "Xã Bắc", "Xã Dương", "Xã Đông"]
    assert by_name(["Cụm 10", "Cụm 2", "Cụm 1"]) == ["Cụm 1", "Cụm 2", "Cụm 10"]
    assert by_name([None, "Xã A"], lambda name: name) == [None, "Xã A"]


def test_a_search_without_marks_finds_names_with_them():
    assert matches("tan an", "Phường Tân An")
    assert matches("TAN  AN", "Phường Tân An")
    assert matches("dong ngan", "Phường Đông Ngàn")
    assert matches("tan", "Xã Tấn Lập")
    assert not matches("tan an", "Phường Trạm Lộ")


def test_a_search_with_marks_keeps_them():
    assert matches("Tân An", "Phường Tân An")
    assert matches("tân", "Phường Tân An")
    assert not matches("Tân", "Xã Tấn Lập")
    assert matches("Đông", "Phường Đông Ngàn")
    assert not matches("Đông", "Xã Dông")
    # A name stored decomposed (NFD) is still found by a composed query.
    assert matches("Tân", "Phường Ta\u0302n An")
