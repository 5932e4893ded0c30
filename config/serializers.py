"""Serializer building blocks shared by the apps."""

from django.http import QueryDict
from rest_framework import serializers


def _json_type_error(field: serializers.Field, value) -> str | None:
    """Return why `value` has the wrong JSON type for `field`, or None if the type fits.

    DRF coerces on input: 123 becomes the title "123", 2.9 the user id 2, "yes" the boolean
    true. A JSON client that sends the wrong type has a bug, and a 400 shows it at once.
    """
    if value is None:
        return None  # allow_null decides.
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, (serializers.IntegerField, serializers.RelatedField)):
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        return "A whole number is required."
    if isinstance(field, (serializers.CharField, serializers.ChoiceField)):
        return None if isinstance(value, str) else "A string is required."
    return None


class StrictInputSerializer(serializers.Serializer):
    """An input serializer that rejects undeclared fields and values of the wrong JSON type.

    DRF drops unknown keys silently, so a client that sends `role` or `status` to the wrong
    endpoint would believe it had set them. A 400 that names each unknown key shows the
    mistake at once. Query strings (a QueryDict) carry only strings, so their types are left
    to the fields.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: ["This field is not allowed here."] for key in unknown}
                )
            if not isinstance(data, QueryDict):
                wrong_types = {
                    name: [reason]
                    for name, value in data.items()
                    if (reason := _json_type_error(self.fields[name], value))
                }
                if wrong_types:
                    raise serializers.ValidationError(wrong_types)
        return super().to_internal_value(data)
