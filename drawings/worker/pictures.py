"""The worker's pixel work, run on its threads (``drawings.worker.threads``), never on the loop.

Sketches are read through the engine's own reader
(``inference.serving.sketch_files.normalise_sketch``: the same checks as at upload, at the side the
sketch was stored — 512 since sketches keep the canvas's resolution, 256 for older ones — so a
stored sketch comes back pixel for pixel). Each generator gets the side it draws at: a pix2pix
generator 256 (scaled down here with the same filter uploads used to be scaled with), the palette
painter the sketch as drawn, so the child's lines are laid over its 512 px picture as crisply as
they were drawn. Each group of claims is one generator call (with each claim's colourway: "New
colours"); pictures leave as PNG for storage, previews as small WebP data URLs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import close_old_connections
from PIL import Image

from drawings import lifecycle, previews, sketch_handoff
from drawings.models import Drawing
from drawings.protocol import PreviewRequest
from inference.serving.architectures import PALETTE
from inference.serving.loaded_generator import SKETCH_SIZE, LoadedGenerator
from inference.serving.runtime import get_runtime
from inference.serving.sketch_files import encode_png, normalise_sketch


@dataclass
class Drawn:
    """One generator call's output: the claims it drew, their pictures, ms per picture."""

    generator_name: str
    claims: list[lifecycle.Claim]
    pictures: list[Image.Image]
    ms_per_picture: int


def load_sketch(drawing: Drawing) -> Image.Image:
    """A stored sketch, read back at the side it was stored at (512, or 256 for older ones);
    the pixels themselves when this process's submission has just stored it
    (``drawings.sketch_handoff``)."""
    handed = sketch_handoff.take(drawing.sketch.name)
    if handed is not None:
        return handed
    with drawing.sketch.open("rb") as handle:
        return normalise_sketch(handle.read(), size=None)


def sketch_for(generator: LoadedGenerator, sketch: Image.Image) -> Image.Image:
    """The sketch at the side ``generator`` draws from: as drawn for the palette painter (it
    decides colours at its own work side and lays the lines over at full size), 256 for a
    pix2pix generator (Lanczos, as uploads were scaled when they were stored at 256)."""
    side = SKETCH_SIZE
    if generator.card.architecture_kind.type == PALETTE or sketch.size == (side, side):
        return sketch
    return sketch.resize((side, side), Image.Resampling.LANCZOS)


def draw_claims(generator_name: str, claims: Sequence[lifecycle.Claim]) -> list[Image.Image]:
    """The pictures of ``claims``, in order, from one call of ``generator_name``; a claim for
    "New colours" is drawn in its colourway (``Claim.variant``)."""
    generator = get_runtime().generator(generator_name)
    try:
        sketches = [sketch_for(generator, load_sketch(claim.drawing)) for claim in claims]
    finally:
        close_old_connections()
    categories = [claim.drawing.category for claim in claims]
    variants = [claim.variant for claim in claims]
    if not any(variants):  # first pictures: every kind of generator draws those
        return generator.draw(sketches, categories)
    return generator.draw(sketches, categories, variants=variants)


def encode_pictures(drawn: Sequence[Drawn], *, png_level: int) -> list[lifecycle.Picture]:
    """Every drawn picture as the PNG the lifecycle stores (zlib's run-length strategy: flat
    colours, 20-25 % smaller at the same CPU; nothing on the servers reads them back)."""
    return [
        lifecycle.Picture(
            claim=claim,
            png=encode_png(picture, compress_level=png_level, runs=True),
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


def measured_batch_size() -> int | None:
    """The batch size that draws the most pictures a second here, measured on every served
    generator that batches (the largest of their choices); None when none is installed."""
    sizes = [g.best_batch() for g in get_runtime().load_all() if g.fast is not None]
    return max(sizes, default=None)


def warm_up(batch_size: int, *, blank_batches: bool) -> list[tuple[str, float]]:
    """Load every generator (onto the GPU with INFERENCE_DEVICE=cuda, where they stay) and,
    with ``blank_batches``, draw blank batches of each size 1..``batch_size``; returns each
    generator's name and the seconds it took."""
    sizes = list(range(1, batch_size + 1)) if blank_batches else []
    return [(g.card.name, g.warm_up(sizes)) for g in get_runtime().load_all()]
