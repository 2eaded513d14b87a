"""The region model's shape features: the same numbers as ever for ordinary drawings, bounded
work for a noisy sketch of thousands of shapes."""

from __future__ import annotations

import math
import time
import tracemalloc

import cv2
import numpy as np

from inference.serving.palette import regions
from inference.serving.palette.painting import colouring_areas, find_shapes, walls_of
from inference.serving.palette.regions import FEATURES, MIN_SHAPE_PX

INK = (17, 17, 17)


def features_one_shape_at_a_time(
    labels: np.ndarray, paper: np.ndarray, areas: np.ndarray
) -> np.ndarray:
    """The reference: every number read off one shape's own pixels and the pixels next to them,
    the way the features are defined (slow; the features were first computed this way, with a
    ``count x count`` matrix of border lengths)."""
    count = len(areas)
    out = np.zeros((count, len(FEATURES)), np.float32)
    described = [i for i in range(1, count) if not paper[i] and areas[i] >= MIN_SHAPE_PX]
    if not described:
        return out
    side = labels.shape[0]
    drawn_label = ~paper & (np.arange(count) > 0)
    shape = {}
    for label in described:
        ys, xs = np.nonzero(labels == label)
        beside = np.concatenate([  # the labels across each edge of the shape's pixels
            labels[:-1][(labels[1:] == label) & (labels[:-1] != label)],
            labels[1:][(labels[:-1] == label) & (labels[1:] != label)],
            labels[:, :-1][(labels[:, 1:] == label) & (labels[:, :-1] != label)],
            labels[:, 1:][(labels[:, :-1] == label) & (labels[:, 1:] != label)],
        ])  # fmt: skip
        shape[label] = {
            "x": xs.mean(), "y": ys.mean(), "box": (ys.min(), ys.max() + 1, xs.min(), xs.max() + 1),
            "border": len(beside), "paper": int(paper[beside].sum()),
            "neighbours": len({int(v) for v in beside if drawn_label[v]}),
        }  # fmt: skip
    top = min(s["box"][0] for s in shape.values())
    bottom = max(s["box"][1] for s in shape.values())
    left = min(s["box"][2] for s in shape.values())
    right = max(s["box"][3] for s in shape.values())
    box_w, box_h = max(right - left, 1), max(bottom - top, 1)
    largest = max(described, key=lambda i: (areas[i], -i))
    by_size = sorted(described, key=lambda i: (-areas[i], i))
    total = float(sum(areas[i] for i in described))
    for label, s in shape.items():
        w, h = s["box"][3] - s["box"][2], s["box"][1] - s["box"][0]
        area = float(areas[label])
        big = shape[largest]
        out[label] = (
            math.log(area / (side * side)), area / float(areas[largest]), area / total,
            (s["x"] - left) / box_w, (s["y"] - top) / box_h, w / box_w, h / box_h,
            area / float(w * h), math.log(w / h), float(s["paper"] > 0),
            by_size.index(label) / len(described), math.log(len(described)),
            float(label == largest), (s["x"] - big["x"]) / box_w, (s["y"] - big["y"]) / box_h,
            s["paper"] / max(float(s["border"]), 1.0), math.log1p(s["neighbours"]),
            float(s["neighbours"] == 1 and s["paper"] == 0),
        )  # fmt: skip
    return out


def ordinary_drawings() -> list[np.ndarray]:
    """An apple, a tree with a hole in its crown, a head with ears and a nose, and seeded
    scribbles of lines and rings."""
    drawings = []
    for shift in (-30, 0, 30):
        apple = np.full((256, 256, 3), 255, np.uint8)
        cv2.circle(apple, (128 + shift, 148), 70, INK, 3)
        cv2.ellipse(apple, (128 + shift, 66), (22, 10), 0, 0, 360, INK, 3)
        drawings.append(apple)
    tree = np.full((256, 256, 3), 255, np.uint8)
    cv2.circle(tree, (128, 100), 70, INK, 3)
    cv2.circle(tree, (128, 90), 18, INK, 3)
    cv2.rectangle(tree, (113, 168), (143, 240), INK, 3)
    head = np.full((256, 256, 3), 255, np.uint8)
    cv2.circle(head, (128, 150), 60, INK, 3)
    for x in (100, 156):
        cv2.ellipse(head, (x, 55), (12, 32), 0, 0, 360, INK, 3)
    cv2.circle(head, (128, 160), 10, INK, 3)
    drawings += [tree, head]
    rng = np.random.default_rng(0)
    for _ in range(12):
        scribble = np.full((256, 256, 3), 255, np.uint8)
        for _ in range(int(rng.integers(1, 25))):
            a, b, c = (tuple(int(v) for v in rng.integers(0, 256, 2)) for _ in range(3))
            cv2.line(scribble, a, b, INK, int(rng.integers(1, 5)))
            cv2.circle(scribble, c, int(rng.integers(3, 60)), INK, int(rng.integers(1, 4)))
        drawings.append(scribble)
    return drawings


def grid_of_shapes(
    cell: tuple[int, int], side: int = 256, margin: int = 8
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels of a drawing cut into ``cell``-sized shapes, paper (label 1) round them."""
    labels = np.ones((side, side), np.int32)
    ys, xs = np.indices((side - 2 * margin, side - 2 * margin))
    columns = -(-(side - 2 * margin) // cell[1])
    labels[margin:-margin, margin:-margin] = 2 + (ys // cell[0]) * columns + xs // cell[1]
    count = int(labels.max()) + 1
    paper = np.zeros(count, bool)
    paper[1] = True
    return labels, paper, np.bincount(labels.ravel(), minlength=count)


def test_the_features_of_ordinary_drawings_are_the_ones_they_always_were() -> None:
    for sketch in ordinary_drawings():
        shapes = find_shapes(walls_of(sketch, colouring_areas(sketch)))
        features = regions.shape_features(shapes.labels, shapes.paper, shapes.areas)
        expected = features_one_shape_at_a_time(shapes.labels, shapes.paper, shapes.areas)
        assert features.any()
        np.testing.assert_array_equal(features, expected)


def test_a_sketch_of_two_thousand_tiny_shapes_is_described_fast_and_as_before() -> None:
    labels, paper, areas = grid_of_shapes((5, 6))  # 1,920 shapes of 30 px
    assert 1_900 <= len(areas) <= 2_000
    start = time.perf_counter()
    features = regions.shape_features(labels, paper, areas)
    seconds = time.perf_counter() - start
    assert seconds < 1.0  # ~5 ms on a 2-core CPU (60 ms one shape at a time)
    np.testing.assert_array_equal(features, features_one_shape_at_a_time(labels, paper, areas))


def test_a_sketch_of_thousands_of_specks_needs_no_shapes_by_shapes_matrix() -> None:
    # 9,600 specks of 6 px (too small to describe) round a drawn square: a count x count
    # matrix of borders would take 0.7 GB.
    labels, paper, areas = grid_of_shapes((2, 3))
    labels[100:160, 100:160] = len(areas)
    areas = np.bincount(labels.ravel(), minlength=len(areas) + 1)
    paper = np.append(paper, False)
    assert len(areas) > 9_000
    tracemalloc.start()
    try:
        features = regions.shape_features(labels, paper, areas)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20
    square = features[len(areas) - 1]
    assert square[FEATURES.index("largest")] == 1
    assert square[FEATURES.index("neighbours")] > math.log1p(100)  # the specks round it
