"""What every client reads of a drawing, declared once for the API schema: the child's API
(``drawings.api.serializers.DrawingSerializer``) and the parents'
(``family.api.serializers.FamilyDrawingSerializer``) extend it with their own addresses."""

from __future__ import annotations

from rest_framework import serializers

from drawings.models import DrawingStatus


class DrawingFieldsSerializer(serializers.Serializer):
    """What every client reads of a drawing (:func:`drawings.payloads.drawing_payload`): the
    child's API (:class:`DrawingSerializer`) and the parents' (``FamilyDrawingSerializer``)
    extend it with their own addresses."""

    id = serializers.IntegerField()
    client_id = serializers.CharField()
    category = serializers.CharField()
    status = serializers.ChoiceField(choices=DrawingStatus.choices)
    error_message = serializers.CharField(allow_null=True)
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    inference_ms = serializers.IntegerField(allow_null=True)
    grownup_asked = serializers.BooleanField(
        help_text='The child pressed "Show a grown-up": the picture waits for a parent to look.'
    )
    new_colours = serializers.ChoiceField(
        choices=["queued", "running", "failed"],
        allow_null=True,
        help_text="Where the last 🎲 stands: `queued`/`running` while a new colourway is painted "
        "(the picture shown stays until it arrives), `failed` if it could not be, null otherwise. "
        "The drawing's `status` stays `done` throughout.",
    )
    can_new_colours = serializers.BooleanField(
        help_text="Whether 🎲 is offered now: the picture is done, no colourway is on its way, "
        "it has fewer than the most versions, and its generator can paint new colours (a "
        "pix2pix generator cannot: hide the button)."
    )
