"""Request bodies read from JSON take each value in its declared JSON type, nothing looser.

DRF's fields coerce: ``"device_name": 0`` becomes ``"0"``, ``"birth_year": "2019"`` becomes
2019, ``"consent": "yes"`` becomes True. The schema says a string, an integer, a boolean, and a
client generated from it sends exactly that, so the server takes exactly that too: anything
else is a 400 naming the field, before the field's own rules run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from core import error_codes as codes


def _json_type(field: serializers.Field) -> tuple[type, ...] | None:
    """The Python types of the JSON values ``field`` takes, None for anything it knows."""
    if isinstance(field, serializers.BooleanField):
        return (bool,)
    if isinstance(field, serializers.IntegerField):
        return (int,)
    if isinstance(field, serializers.FloatField):
        return (int, float)
    if isinstance(field, serializers.CharField | serializers.DateTimeField):
        return (str,)
    if isinstance(field, serializers.ChoiceField) and all(
        isinstance(choice, str) for choice in field.choices
    ):
        return (str,)
    return None


def _type_name(types: tuple[type, ...]) -> str:
    if types == (bool,):
        return _("true or false")
    if str in types:
        return _("text")
    return _("a number")


class JSONBodySerializer(serializers.Serializer):
    """A request body sent as JSON: values of the wrong JSON type are refused, field by field."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors: dict[str, list[str]] = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data or data[name] is None:
                    continue  # absent and null values are the field's own business
                types = _json_type(field)
                value = data[name]
                wrong_bool = isinstance(value, bool) and bool not in (types or ())
                if types is not None and (wrong_bool or not isinstance(value, types)):
                    errors[name] = [_("Send this as %(type)s.") % {"type": _type_name(types)}]
            if errors:
                raise serializers.ValidationError(errors, code=codes.INVALID)
        return super().to_internal_value(data)


@extend_schema_field({"type": "boolean", "enum": [True]})
class MustBeTrueField(serializers.BooleanField):
    """A yes the request cannot do without (consent, a confirmation): the schema allows only
    ``true``; the serializer's own ``validate_<field>`` says why in words."""


def query_once(request: Request, names: Iterable[str] | None = None) -> dict[str, str]:
    """The query string as one value per name, or a 400 naming each parameter sent twice: the
    schema declares single values, and quietly keeping the last one would hide a client's bug.
    ``names`` limits the check (and the answer) to those parameters."""
    params = request.query_params
    wanted = params.keys() if names is None else [n for n in names if n in params]
    repeated = [name for name in wanted if len(params.getlist(name)) > 1]
    if repeated:
        raise serializers.ValidationError(
            {name: [_("Send this only once.")] for name in repeated}, code=codes.INVALID
        )
    return {name: params[name] for name in wanted}
