"""Create demo accounts and tickets in every status, and print the demo logins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, User
from tickets import services
from tickets.models import Ticket, TicketPriority, TicketStatus

DEMO_ACCOUNTS = [
    ("admin@example.com", "Ada Admin", Role.ADMIN, "helpdesk-admin-demo"),
    ("agent@example.com", "Alan Agent", Role.ADMIN, "helpdesk-agent-demo"),
    ("alice@example.com", "Alice User", Role.USER, "helpdesk-alice-demo"),
    ("bob@example.com", "Bob User", Role.USER, "helpdesk-bob-demo"),
]

DEMO_TICKETS = [
    ("Printer on floor 3 jams on every job", TicketPriority.HIGH, "alice@example.com", None, []),
    (
        "VPN drops every 10 minutes",
        TicketPriority.URGENT,
        "bob@example.com",
        "agent@example.com",
        [TicketStatus.IN_PROGRESS],
    ),
    (
        "New laptop for the design team",
        TicketPriority.LOW,
        "alice@example.com",
        "admin@example.com",
        [TicketStatus.IN_PROGRESS, TicketStatus.CLOSED],
    ),
    (
        "Cannot open the shared calendar",
        TicketPriority.MEDIUM,
        "bob@example.com",
        "alice@example.com",
        [],
    ),
]


class Command(BaseCommand):
    help = "Create demo accounts and tickets in every status. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off; the demo passwords are public, so never in production.",
        )

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: refusing to create accounts with public passwords.")

        users = {}
        for email, name, role, password in DEMO_ACCOUNTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, password, name=name, role=role)
            users[email] = user

        created = 0
        admin = users["admin@example.com"]
        for title, priority, creator, assignee, steps in DEMO_TICKETS:
            if Ticket.objects.filter(title=title).exists():
                continue
            ticket = services.ticket_create(
                creator=users[creator],
                title=title,
                description=f"Demo ticket: {title.lower()}.",
                priority=priority,
                assignee=users[assignee] if assignee else None,
            )
            for target in steps:
                services.ticket_transition(actor=admin, ticket_id=ticket.pk, target=target)
            created += 1

        self.stdout.write(f"Demo data ready: {len(users)} accounts, {created} new tickets.")
        self.stdout.write("Demo logins (email / password / role):")
        for email, _name, role, password in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email} / {password} / {role}")
