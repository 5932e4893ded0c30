from rest_framework import serializers

from accounts.models import User
from config.serializers import StrictInputSerializer


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "is_available", "created_at"]
        read_only_fields = fields


class UserSummarySerializer(serializers.ModelSerializer):
    """A person as shown inside a ticket."""

    class Meta:
        model = User
        fields = ["id", "name", "email", "role"]
        read_only_fields = fields


class AvailablePersonSerializer(serializers.ModelSerializer):
    open_tickets = serializers.IntegerField(read_only=True)
    in_progress_tickets = serializers.IntegerField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email", "role", "open_tickets", "in_progress_tickets"]
        read_only_fields = fields


class LoginInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    use_cookies = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also set the tokens as HTTP-only cookies (for browser clients).",
    )


class SignupInputSerializer(LoginInputSerializer):
    name = serializers.CharField(max_length=150)


class RefreshInputSerializer(StrictInputSerializer):
    refresh = serializers.CharField(
        required=False,
        max_length=4096,
        help_text="The refresh token. Omit it when it travels in the refresh cookie.",
    )
    use_cookies = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Set the new pair as cookies. Implied when the refresh token came as a cookie.",
    )


class LogoutInputSerializer(StrictInputSerializer):
    refresh = serializers.CharField(
        required=False,
        max_length=4096,
        help_text="The refresh token to revoke. Omit it when it travels in the refresh cookie.",
    )


class MeUpdateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=150, required=False)
    is_available = serializers.BooleanField(required=False)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(required=False, help_text="Absent in cookie mode.")
    refresh = serializers.CharField(required=False, help_text="Absent in cookie mode.")
    user = UserSerializer()
