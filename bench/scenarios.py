"""The benchmark's scenarios: each builds the requests of one kind of API call.

`prepare_fixture` logs in and collects what the scenarios need (ticket ids, an assignee, a
cursor deep in the list, open tickets to edit) before any measurement starts.
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

# Searched words: "printer" is in most descriptions (a frequent word), and "docking"
# is only in the titles of about one ticket in 35.
SEARCH_TERMS = ("printer", "docking")
PRIORITIES = ("low", "medium", "high", "urgent")
# How far into the list, as a share of all tickets, the deep cursor points.
DEEP_PAGE_SHARE = 0.9
# Open tickets fetched up front for the PATCH and transition scenarios; each transition
# uses up one ticket.
OPEN_TICKET_POOL = 4000


@dataclass
class Fixture:
    access_token: str
    ticket_ids: list[int]
    assignee_id: int
    deep_cursor: str
    patch_ids: list[int] = field(default_factory=list)
    transition_ids: list[int] = field(default_factory=list)


RequestMaker = Callable[[int], tuple[str, str, dict | None]]


def _path(path: str, **params) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _cursor_at(position: str) -> str:
    """Encode a DRF CursorPagination cursor that starts after `position`."""
    return base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


def _get_json(client, path: str, headers: dict[str, str]) -> dict | list:
    status, body, _ = client.send("GET", path, None, headers)
    if status != 200:
        raise SystemExit(
            f"Preparing the benchmark failed: GET {path} returned {status}: {body[:300]!r}"
        )
    return json.loads(body)


def prepare_fixture(client, email: str, password: str) -> Fixture:
    status, body, _ = client.send("POST", "/auth/login", {"email": email, "password": password})
    if status != 200:
        raise SystemExit(
            f"Login as {email} failed with {status}: {body[:300]!r}. Load data with "
            "`python -m bench.generate` and pass its --password."
        )
    token = json.loads(body)["access"]
    auth = {"Authorization": f"Bearer {token}"}

    first_page = _get_json(client, _path("/tickets", page_size=100), auth)
    tickets = first_page["results"]
    if not tickets:
        raise SystemExit("The database has no tickets: load some with `python -m bench.generate`.")
    newest_id = max(ticket["id"] for ticket in tickets)
    deep_id = max(1, round(newest_id * (1 - DEEP_PAGE_SHARE)))
    deep_ticket = _get_json(client, f"/tickets/{deep_id}", auth)

    admins = _get_json(client, "/available/admins", auth)
    assignee_id = admins[0]["id"] if admins else tickets[0]["creator"]["id"]

    open_ids = _collect_ids(client, auth, OPEN_TICKET_POOL, status="open")
    half = len(open_ids) // 2
    return Fixture(
        access_token=token,
        ticket_ids=[ticket["id"] for ticket in tickets],
        assignee_id=assignee_id,
        deep_cursor=_cursor_at(deep_ticket["created_at"]),
        patch_ids=open_ids[:half],
        transition_ids=open_ids[half:],
    )


def _collect_ids(client, auth, limit: int, **filters) -> list[int]:
    ids: list[int] = []
    path = _path("/tickets", page_size=100, **filters)
    while path and len(ids) < limit:
        page = _get_json(client, path, auth)
        ids.extend(ticket["id"] for ticket in page["results"])
        next_url = page.get("next")
        path = next_url[next_url.index("/tickets") :] if next_url else None
    return ids[:limit]


def bare(fixture: Fixture) -> RequestMaker:
    return lambda number: ("GET", "/bench/bare", None)


def bare_auth(fixture: Fixture) -> RequestMaker:
    return lambda number: ("GET", "/bench/bare-auth", None)


def get_ticket(fixture: Fixture) -> RequestMaker:
    ids = fixture.ticket_ids
    return lambda number: ("GET", f"/tickets/{ids[number % len(ids)]}", None)


def list_first_page(fixture: Fixture) -> RequestMaker:
    return lambda number: ("GET", "/tickets", None)


def list_deep_page(fixture: Fixture) -> RequestMaker:
    return lambda number: ("GET", _path("/tickets", cursor=fixture.deep_cursor), None)


def list_by_status(fixture: Fixture) -> RequestMaker:
    statuses = ("open", "in_progress", "closed")
    return lambda number: ("GET", _path("/tickets", status=statuses[number % 3]), None)


def list_by_assignee(fixture: Fixture) -> RequestMaker:
    return lambda number: ("GET", _path("/tickets", assignee=fixture.assignee_id), None)


def search(fixture: Fixture) -> RequestMaker:
    return lambda number: (
        "GET",
        _path("/tickets", search=SEARCH_TERMS[number % len(SEARCH_TERMS)]),
        None,
    )


def create(fixture: Fixture) -> RequestMaker:
    return lambda number: (
        "POST",
        "/tickets",
        {
            "title": f"Benchmark ticket {number}: VPN drops every few minutes",
            "description": "Created by the load generator. " * 8,
            "priority": PRIORITIES[number % len(PRIORITIES)],
        },
    )


def patch(fixture: Fixture) -> RequestMaker:
    ids = fixture.patch_ids
    return lambda number: (
        "PATCH",
        f"/tickets/{ids[number % len(ids)]}",
        {"priority": PRIORITIES[number % len(PRIORITIES)]},
    )


def transition(fixture: Fixture) -> RequestMaker:
    # Each request starts a different open ticket; pop() raises IndexError when the pool
    # is used up, which ends the scenario early.
    pool = fixture.transition_ids
    return lambda number: ("PATCH", f"/tickets/{pool.pop()}", {"status": "in_progress"})


def available_users(fixture: Fixture) -> RequestMaker:
    return lambda number: ("GET", "/available/users", None)


def available_admins(fixture: Fixture) -> RequestMaker:
    return lambda number: ("GET", "/available/admins", None)


SCENARIOS: dict[str, Callable[[Fixture], RequestMaker]] = {
    "bare": bare,
    "bare_auth": bare_auth,
    "get_ticket": get_ticket,
    "list_first_page": list_first_page,
    "list_deep_page": list_deep_page,
    "list_by_status": list_by_status,
    "list_by_assignee": list_by_assignee,
    "search": search,
    "create": create,
    "patch": patch,
    "transition": transition,
    "available_users": available_users,
    "available_admins": available_admins,
}
# Read-only scenarios, the ones the 32-client target is about.
READ_SCENARIOS = [
    "bare",
    "bare_auth",
    "get_ticket",
    "list_first_page",
    "list_deep_page",
    "list_by_status",
    "list_by_assignee",
    "search",
    "available_users",
    "available_admins",
]
