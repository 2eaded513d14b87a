"""The worker's pixel work, run on its threads (``drawings.worker.threads``), never on the loop.

Sketches are read through the engine's own reader (``inference.sketch_files.normalise_sketch``:
the same checks and 256×256 RGB as at upload, so a stored sketch comes back pixel for pixel);
each group of claims is one generator call; pictures leave as PNG for storage, previews as small
WebP data URLs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import close_old_connections
from PIL import Image

from drawings import lifecycle, previews
from drawings.models import Drawing
from drawings.protocol import PreviewRequest
from inference.runtime import get_runtime
from inference.sketch_files import encode_png, normalise_sketch


@dataclass
class Drawn:
    """One generator call's output: the claims it drew, their pictures, ms per picture."""

    generator_name: str
    claims: list[lifecycle.Claim]
    pictures: list[Image.Image]
    ms_per_picture: int


def load_sketch(drawing: Drawing) -> Image.Image:
    """A stored sketch, read back as the generator takes it."""
    with drawing.sketch.open("rb") as handle:
        return normalise_sketch(handle.read())


def draw_claims(generator_name: str, claims: Sequence[lifecycle.Claim]) -> list[Image.Image]:
    """The pictures of ``claims``, in order, from one call of ``generator_name``."""
    try:
        sketches = [load_sketch(claim.drawing) for claim in claims]
    finally:
        close_old_connections()
    categories = [claim.drawing.category for claim in claims]
    return get_runtime().generator(generator_name).draw(sketches, categories)


def encode_pictures(drawn: Sequence[Drawn], *, png_level: int) -> list[lifecycle.Picture]:
    """Every drawn picture as the PNG the lifecycle stores."""
    return [
        lifecycle.Picture(
            claim=claim,
            png=encode_png(picture, compress_level=png_level),
            generator_name=group.generator_name,
            inference_ms=group.ms_per_picture,
        )
        for group in drawn
        for claim, picture in zip(group.claims, group.pictures, strict=True)
    ]


def draw_previews(generator_name: str, wanted: Sequence[PreviewRequest]) -> list[Image.Image]:
    """The previews of ``wanted``, in order, from one call of ``generator_name``."""
    sketches = [normalise_sketch(request.sketch_png) for request in wanted]
    categories = [request.category for request in wanted]
    return get_runtime().generator(generator_name).draw(sketches, categories)


def preview_urls(pictures: Sequence[Image.Image]) -> list[str]:
    """Previews as the data URLs a page shows."""
    return [previews.image_data_url(picture) for picture in pictures]


def warm_up(batch_size: int, *, blank_batches: bool) -> list[tuple[str, float]]:
    """Load every generator (onto the GPU with INFERENCE_DEVICE=cuda, where they stay) and,
    with ``blank_batches``, draw blank batches of each size 1..``batch_size``; returns each
    generator's name and the seconds it took."""
    sizes = list(range(1, batch_size + 1)) if blank_batches else []
    return [(g.card.name, g.warm_up(sizes)) for g in get_runtime().load_all()]
