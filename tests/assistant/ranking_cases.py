"""Questions and the operation that the ranking must put first for each."""

RANKING_CASES: list[tuple[str, str]] = [
    # Finding who is available comes first, and the assignment itself must be in the top three,
    # which test_ranking checks separately.
    ("How do I hand my ticket to someone who is available?", "GET /available/users"),
    ("Why can't I close this?", "PATCH /tickets/{ticket_id}"),
    # The caller does not know the ticket's id, so the list with `search` comes first.
    ("What's the state of my printer ticket?", "GET /tickets"),
    ("How do I log in?", "POST /auth/login"),
    ("How do I create an account?", "POST /auth/signup"),
    ("My token expired, how do I get a new one?", "POST /auth/refresh"),
    ("How do I sign out?", "POST /auth/logout"),
    ("Where can I see my profile?", "GET /auth/me"),
    ("How do I mark myself unavailable while I'm on vacation?", "PATCH /auth/me"),
    ("How can I change my display name?", "PATCH /auth/me"),
    ("Which administrators are available right now?", "GET /available/admins"),
    ("Which users are free to take a ticket?", "GET /available/users"),
    ("How do I open a new ticket for my broken printer?", "POST /tickets"),
    ("List all my tickets", "GET /tickets"),
    ("Show me ticket 42", "GET /tickets/{ticket_id}"),
    ("Who changed the status of my ticket and when?", "GET /tickets/{ticket_id}/history"),
    ("How do I set the priority of a ticket to urgent?", "PATCH /tickets/{ticket_id}"),
    ("How do I start working on a ticket?", "PATCH /tickets/{ticket_id}"),
    (
        "How do I delete an old conversation with the assistant?",
        "DELETE /chat/conversations/{conversation_id}",
    ),
    ("Where can I find my previous chats?", "GET /chat/conversations"),
    ("How do I ask the assistant a question?", "POST /chat/ask"),
    ("Show the messages of one of my conversations", "GET /chat/conversations/{conversation_id}"),
    ("Which transitions can I run on ticket 5?", "GET /tickets/{ticket_id}"),
    ("How do I edit the description of my ticket?", "PATCH /tickets/{ticket_id}"),
    ("How do I filter tickets by status?", "GET /tickets"),
]

# Questions about operations added after the table above was written.
RANKING_CASES += [
    ("How do I reopen a closed ticket?", "POST /tickets/{ticket_id}/reopen"),
    ("How do I add a comment to my ticket?", "POST /tickets/{ticket_id}/comments"),
    ("Show me the comments on ticket 12", "GET /tickets/{ticket_id}/comments"),
    ("Can I write a private note on a ticket?", "POST /tickets/{ticket_id}/comments"),
    ("How do I rate the support I got?", "POST /tickets/{ticket_id}/feedback"),
    ("Was my problem solved? How do I confirm it?", "POST /tickets/{ticket_id}/feedback"),
    ("How long do tickets take to close on average?", "GET /analytics/summary"),
    ("How many tickets are open per priority?", "GET /analytics/summary"),
    # The signed-in caller of /chat/ask talks to the API, so the JSON exchange of a Google
    # ID token comes first. test_ranking checks that the browser flow is in the top three.
    ("How do I sign in with Google?", "POST /auth/google"),
    # "open" is a status here, and the open tickets are found by filtering the list.
    ("Which of my tickets are still open?", "GET /tickets"),
    ("How do I sort tickets by priority?", "GET /tickets"),
    ("How do I close my ticket?", "PATCH /tickets/{ticket_id}"),
]
