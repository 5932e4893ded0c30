"""Print the SQL and `EXPLAIN (ANALYZE, BUFFERS)` of each list query the API runs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5499/helpdesk_1m python -m bench.explain

Each list request goes through the real view, as an administrator, inside Django's test
client. The SELECTs it runs are captured and explained on the same database.
"""

import os
import sys

import django

# The list requests of the benchmark; `{assignee}` and `{cursor}` are filled in from the data.
REQUESTS = {
    "list_first_page": "/tickets",
    "list_deep_page": "/tickets?cursor={cursor}",
    "list_by_status": "/tickets?status=open",
    "list_by_assignee": "/tickets?assignee={assignee}",
    "search": "/tickets?search=printer",
    "available_users": "/available/users",
    "available_admins": "/available/admins",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DEBUG", "1")
    django.setup()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from accounts.models import User
    from bench.scenarios import DEEP_PAGE_SHARE, _cursor_at
    from tickets.models import Ticket

    admin = User.objects.filter(role="admin").order_by("id").first()
    if admin is None:
        sys.exit("No admin in the database: load data with `python -m bench.generate` first.")
    newest = Ticket.objects.order_by("-id").values_list("id", flat=True).first()
    deep = Ticket.objects.get(pk=max(1, round(newest * (1 - DEEP_PAGE_SHARE))))
    values = {
        "assignee": Ticket.objects.filter(assignee__isnull=False)
        .values_list("assignee_id", flat=True)
        .first(),
        "cursor": _cursor_at(deep.created_at.isoformat()),
    }

    client = APIClient()
    client.force_authenticate(admin)
    for name, template in REQUESTS.items():
        path = template.format(**values)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, HTTP_HOST="127.0.0.1")
        print(f"## {name}: GET {path} -> {response.status_code}\n")
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            print("```sql\n" + sql + "\n```\n")
            with connection.cursor() as cursor:
                # The captured SQL has its parameters inlined by Django, so it runs as is.
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print("```\n" + plan + "\n```\n")


if __name__ == "__main__":
    main()
