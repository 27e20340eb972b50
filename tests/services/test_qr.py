"""QR codes: level Q, a four-module quiet zone, print sizes, and images a real decoder reads."""

from __future__ import annotations

import io
import random
import string

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from PIL import Image
from qrcode.constants import ERROR_CORRECT_Q

from survey_app.models.collection_points import ALPHABET
from survey_app.models.collection_points import TOKEN_LENGTH
from survey_app.models.collection_points import new_token
from survey_app.models.collection_points import typed_token
from survey_app.services.collection_points.qr import QUIET_ZONE
from survey_app.services.collection_points.qr import SIZES
from survey_app.services.collection_points.qr import outlines
from survey_app.services.collection_points.qr import qr_code
from survey_app.services.collection_points.qr import qr_matrix
from survey_app.services.collection_points.qr import qr_png
from survey_app.services.collection_points.qr import qr_svg

LINK = "https://khaosat.bacninh.gov.vn/f/k7m2x9qp4t"


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("size", sorted(SIZES))
def test_png_decodes_to_the_link_and_prints_at_the_poster_size(size):
    image = Image.open(io.BytesIO(qr_png(LINK, size)))
    assert decode(image) == [LINK]
    printed_mm = image.width / image.info["dpi"][0] * 25.4
    assert printed_mm == pytest.approx(SIZES[size].qr_mm, abs=0.5)
    assert image.info["dpi"][0] == pytest.approx(300, rel=0.05)


def test_code_uses_level_q_and_the_standard_quiet_zone():
    code = qr_code(LINK)
    assert code.error_correction == ERROR_CORRECT_Q
    matrix = qr_matrix(LINK)
    border = matrix[:QUIET_ZONE] + matrix[-QUIET_ZONE:] + [row[:QUIET_ZONE] + row[-QUIET_ZONE:]
                                                           for row in matrix]
    assert QUIET_ZONE == 4
    assert not any(any(row) for row in border)


def test_a_short_token_keeps_a_province_link_in_version_4_where_the_old_one_needs_5():
    # Fewer, bigger modules for the same printed width: what a cheap camera needs.
    base = "https://khaosat.bacninh.gov.vn/f/"
    assert qr_code(base + new_token()).version == 4
    assert qr_code(base + "Yx3_kP0aQ-7bZr2cLm9dWe").version == 5


def test_code_still_reads_with_a_fifth_of_it_scratched_off():
    image = Image.open(io.BytesIO(qr_png(LINK, "a5"))).convert("L")
    width = image.width
    # A strip of tape across the middle, clear of the three finder patterns.
    image.paste(255, (int(width * 0.30), int(width * 0.45), int(width * 0.70), int(width * 0.55)))
    assert decode(image) == [LINK]


def test_svg_is_a_white_square_sized_in_millimetres():
    svg = qr_svg(LINK, "a5").decode()
    assert 'width="85mm"' in svg
    assert 'height="85mm"' in svg
    modules = len(qr_matrix(LINK))
    assert f'viewBox="0 0 {modules} {modules}"' in svg
    assert 'fill="white"' in svg


def winding(loops: list[list[tuple[int, int]]], x: float, y: float) -> int:
    """The winding number of all loops around (x, y), by crossings of a ray to the right."""
    total = 0
    for loop in loops:
        for (x1, y1), (x2, y2) in zip(loop, loop[1:] + loop[:1], strict=True):
            if x1 == x2 and x1 > x and min(y1, y2) < y < max(y1, y2):
                total += 1 if y2 > y1 else -1
    return total


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 9).flatmap(
    lambda n: st.lists(st.lists(st.booleans(), min_size=n, max_size=n), min_size=n, max_size=n)))
def test_outlines_cover_exactly_the_dark_modules(matrix):
    loops = outlines(matrix)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            assert winding(loops, x + 0.5, y + 0.5) == (1 if dark else 0)


def test_outlines_of_a_real_code_have_only_corners():
    for loop in outlines(qr_matrix(LINK)):
        for i, (x, y) in enumerate(loop):
            (px, py), (nx, ny) = loop[i - 1], loop[(i + 1) % len(loop)]
            assert (x - px, y - py) != (nx - x, ny - y)


def test_new_tokens_are_short_from_the_unambiguous_alphabet_and_differ():
    tokens = {new_token() for _ in range(500)}
    assert len(tokens) == 500
    for token in tokens:
        assert len(token) == TOKEN_LENGTH
        assert set(token) <= set(ALPHABET)
    assert not set("ilou") & set(ALPHABET)


@pytest.mark.parametrize(("typed", "meant"), [
    ("k7m2x9qp4t", "k7m2x9qp4t"),
    ("K7M2X9QP4T", "k7m2x9qp4t"),
    ("k7m2-x9qp-4t", "k7m2x9qp4t"),
    ("k7m2 x9qp 4t", "k7m2x9qp4t"),
    ("h0tg7sgId9", "h0tg7sg1d9"),
    ("hOtg7sglD9", "h0tg7sg1d9"),
    ("k7m2x9qp4", None),
    ("k7m2x9qp4tt", None),
    ("k7m2x9qp4u", None),
    ("k7m2x9qp4_", None),
    ("AbCdEfGhIjKlMnOpQrStUv", None),
])
def test_typed_token_forgives_what_people_type(typed, meant):
    assert typed_token(typed) == meant


def test_typed_token_is_the_identity_on_every_new_token():
    rng = random.Random(3)
    for _ in range(200):
        token = "".join(rng.choice(ALPHABET) for _ in range(TOKEN_LENGTH))
        assert typed_token(token) == token
    assert typed_token(string.punctuation[:TOKEN_LENGTH]) is None
