"""Run by ``test_dependencies.py`` in a fresh interpreter: a worker's whole serving path (every
installed generator draws a sketch of its first thing, the guesser ranks one) with the
project's real ``generators/``; prints the top-level modules it imported, one JSON list."""

from __future__ import annotations

import json
import sys


def main() -> None:
    import django

    django.setup()
    from PIL import Image, ImageDraw

    from inference.serving.runtime import get_runtime

    sketch = Image.new("RGB", (512, 512), "white")
    ImageDraw.Draw(sketch).ellipse((96, 96, 416, 416), outline="black", width=8)
    runtime = get_runtime()
    drawn = []
    for loaded in runtime.load_all():
        category = loaded.card.category_slugs[0]
        pictures = loaded.draw([sketch], [category])
        drawn.append((loaded.card.name, pictures[0].size))
    guesses = runtime.classifier().rank([sketch])
    print(
        json.dumps(
            {
                "drawn": drawn,
                "guessed": len(guesses[0]),
                "modules": sorted({name.partition(".")[0] for name in sys.modules}),
            }
        )
    )


if __name__ == "__main__":
    main()
