"""Promote a training checkpoint into the generator registry.

A promoted generator is two files side by side: ``<name>.safetensors`` (fp16 weights) and
``<name>.json`` (the model card the registry reads). The card is written last and atomically,
so the registry never sees a card whose weights are not there yet.

No Django here: the registry directory is passed in, so promotion also works on a training box.

One module per part of a promotion: ``promote`` (weights and card into the registry),
``record`` (what the card says of the run: notes, machine, time, schedule, dev-set scores),
``provenance`` (the categories and data sources, their licences) and ``sheets`` (held-out
sketches and the contact sheet drawn from them).
"""

from inference.lab.promotion.promote import promote_checkpoint
from inference.lab.promotion.provenance import (
    combined_entries,
    dataset_entries,
    licence_note,
    with_theme,
)
from inference.lab.promotion.record import (
    TRAINING_KEYS,
    canvas_scores,
    describe,
    describe_machine,
    devset_scores,
    lr_history,
    train_minutes,
)
from inference.lab.promotion.sheets import held_out_sketches, write_contact_sheet

__all__ = [
    "TRAINING_KEYS",
    "canvas_scores",
    "combined_entries",
    "dataset_entries",
    "describe",
    "describe_machine",
    "devset_scores",
    "held_out_sketches",
    "licence_note",
    "lr_history",
    "promote_checkpoint",
    "train_minutes",
    "with_theme",
    "write_contact_sheet",
]
