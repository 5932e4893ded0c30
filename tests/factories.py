import factory

from accounts.models import Role, User
from tickets.models import Ticket, TicketPriority

DEFAULT_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    role = Role.USER
    password = factory.django.Password(DEFAULT_PASSWORD)


class AdminFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@example.com")
    role = Role.ADMIN


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket written straight to the table; use `tickets.services` when history matters."""

    class Meta:
        model = Ticket

    title = factory.Faker("sentence", nb_words=6)
    description = factory.Faker("paragraph")
    priority = TicketPriority.MEDIUM
    creator = factory.SubFactory(UserFactory)
    assignee = None
