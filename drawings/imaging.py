"""The upload rules for sketches live with the engine's input (inference.sketch_files);
the drawings code that still imports them from here reads the same objects."""

from inference.sketch_files import (
    SketchRejected,
    encode_png,
    normalise_sketch,
    sketch_too_large,
    sniff_format,
)

__all__ = ["SketchRejected", "encode_png", "normalise_sketch", "sketch_too_large", "sniff_format"]
