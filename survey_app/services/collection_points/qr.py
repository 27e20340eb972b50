"""QR codes for collection-point links: one matrix, drawn as PNG, SVG or PDF vector art.

Error correction Q (25% of the code may be lost) survives a poster that is taped over,
scratched, faded or photographed through laminate glare by a cheap phone. It costs nothing
here: a short link fits QR version 4 at level Q as at level M, and a poster prints each
module about 3 mm wide. H would only matter with a logo drawn over the code, which we do not
do. The quiet zone is the standard's minimum of four modules, always drawn white, so the code
still reads when the poster is pinned on a dark or busy notice board. See docs/QR.md.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_Q
from qrcode.image.svg import SvgPathFillImage

QUIET_ZONE = 4
#: Pixels per inch of the PNG images: a print shop's usual resolution.
PNG_DPI = 300
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class PrintSize:
    """How wide the code is printed, quiet zone included, on one poster size."""

    name: str
    qr_mm: float


#: A4 posters hang behind a counter and are scanned from a metre or more away (a code reads
#: from about ten times its width); A5 ones sit on the counter itself.
SIZES = {"a4": PrintSize("a4", 120.0), "a5": PrintSize("a5", 85.0)}


def qr_code(data: str) -> qrcode.QRCode:
    """Encode ``data`` at level Q with a four-module quiet zone, in the smallest version."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of ``data``'s code, quiet zone included; True is dark."""
    return qr_code(data).get_matrix()


def qr_png(data: str, size: str = "a4") -> bytes:
    """A 1-bit PNG of the code that prints ``SIZES[size].qr_mm`` wide at 300 dpi."""
    code = qr_code(data)
    modules = code.modules_count + 2 * QUIET_ZONE
    target_px = SIZES[size].qr_mm / MM_PER_INCH * PNG_DPI
    code.box_size = max(1, round(target_px / modules))
    image = code.make_image()
    # The dpi is set from the whole pixels we drew, so the print is exactly the width asked.
    dpi = image.pixel_size / (SIZES[size].qr_mm / MM_PER_INCH)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def qr_svg(data: str, size: str = "a4") -> bytes:
    """An SVG of the code (one path on a white square) sized in millimetres for print."""
    code = qr_code(data)
    # box_size 10 makes one module one unit of the viewBox; width and height set the print.
    code.box_size = 10
    image = code.make_image(image_factory=SvgPathFillImage)
    width = f"{SIZES[size].qr_mm:g}mm"
    image.get_image().set("width", width)
    image.get_image().set("height", width)
    return image.to_string(encoding="utf-8")


def outlines(matrix: list[list[bool]]) -> list[list[tuple[int, int]]]:
    """The borders of the dark areas as closed loops of module corners (x right, y down).

    Filling these loops draws the code with no edge inside a dark area: filling one square
    per module leaves faint seams between neighbours in some PDF viewers, and a faint seam
    through a finder pattern is exactly what a cheap camera trips over.
    """
    size = len(matrix)

    def dark(x: int, y: int) -> bool:
        return 0 <= x < size and 0 <= y < size and matrix[y][x]

    # Every side of a dark module that faces a light one, walked clockwise around the module.
    edges: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for y in range(size):
        for x in range(size):
            if not matrix[y][x]:
                continue
            for (dx, dy), start, end in (
                ((0, -1), (x, y), (x + 1, y)),
                ((1, 0), (x + 1, y), (x + 1, y + 1)),
                ((0, 1), (x + 1, y + 1), (x, y + 1)),
                ((-1, 0), (x, y + 1), (x, y)),
            ):
                if not dark(x + dx, y + dy):
                    edges.setdefault(start, []).append(end)
    # Chaining the edges in any order gives loops with the same winding, so the same fill.
    loops = []
    while edges:
        start = next(iter(edges))
        loop, point = [start], start
        while True:
            ends = edges[point]
            following = ends.pop()
            if not ends:
                del edges[point]
            if following == start:
                break
            loop.append(following)
            point = following
        loops.append(corners_only(loop))
    return loops


def corners_only(loop: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop the points where a loop goes straight on."""
    kept = []
    for i, (x, y) in enumerate(loop):
        (px, py), (nx, ny) = loop[i - 1], loop[(i + 1) % len(loop)]
        if (x - px, y - py) != (nx - x, ny - y):
            kept.append((x, y))
    return kept
