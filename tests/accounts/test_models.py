import pytest
from django.core.management import call_command

from accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_createsuperuser_makes_admin_role(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "orbit-canyon-93-maple")

    call_command("createsuperuser", "--noinput", email="Root@Example.com", name="Root")

    root = User.objects.get(email="root@example.com")
    assert root.role == Role.ADMIN
    assert root.is_staff
    assert root.check_password("orbit-canyon-93-maple")


def test_email_stored_lower_case():
    user = User.objects.create_user("Mixed.Case@Example.COM", "orbit-canyon-93-maple", name="M")

    assert user.email == "mixed.case@example.com"


def test_user_role_has_no_admin_rights():
    user = User.objects.create_user("plain@example.com", "orbit-canyon-93-maple", name="P")

    assert not user.is_staff
    assert not user.has_perm("tickets.change_ticket")
