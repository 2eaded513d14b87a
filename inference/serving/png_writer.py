"""A lean PNG writer for 8-bit RGB pixels: what the site stores (sketches and pictures).

Pillow's PNG encoder tries all five row filters on every row and keeps the best (libpng's
heuristic): on a 512 px picture that choice costs more than the compression itself (4.5-5 ms
against under 2 ms here, on the AVX2 EPYC). Sketches and pictures are flat colours on white
paper, where the "Up" filter (each row minus the row above) is the one Pillow picks for most
rows anyway, so this writer applies it to every row in one numpy subtraction and hands the rows
to zlib. The file holds the pixels and nothing else (IHDR, one IDAT, IEND: no metadata), and
decodes to exactly the pixels given (tested).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FILTER_UP = 2
_RGB_COLOUR_TYPE = 2


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_rgb_png(image: Image.Image, *, compress_level: int, runs: bool) -> bytes:
    """``image`` (mode RGB) as a PNG of its pixels only: the Up filter on every row, zlib at
    ``compress_level`` (0-9), with zlib's run-length strategy when ``runs``."""
    if image.mode != "RGB":
        raise ValueError(f"encode_rgb_png takes RGB images, not {image.mode}")
    width, height = image.size
    pixels = np.asarray(image, dtype=np.uint8).reshape(height, width * 3)
    rows = np.empty((height, width * 3 + 1), dtype=np.uint8)
    rows[:, 0] = _FILTER_UP
    # The first row's "row above" is all zeros (the PNG rule): its bytes go in as they are.
    rows[0, 1:] = pixels[0]
    np.subtract(pixels[1:], pixels[:-1], out=rows[1:, 1:])  # modulo 256, as PNG wants
    compressor = zlib.compressobj(
        compress_level,
        zlib.DEFLATED,
        zlib.MAX_WBITS,
        zlib.DEF_MEM_LEVEL,
        zlib.Z_RLE if runs else zlib.Z_DEFAULT_STRATEGY,
    )
    data = compressor.compress(rows.data) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, _RGB_COLOUR_TYPE, 0, 0, 0)
    return b"".join(
        (PNG_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"IDAT", data), _chunk(b"IEND", b""))
    )
