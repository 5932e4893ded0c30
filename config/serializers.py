"""Serializer building blocks shared by the apps."""

from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer):
    """An input serializer that rejects fields it does not declare.

    DRF drops unknown keys silently, so a client that sends `role` or `status` to the wrong
    endpoint would believe it had set them. Naming each unknown key in a 400 tells it at once.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: ["This field is not allowed here."] for key in unknown}
                )
        return super().to_internal_value(data)
