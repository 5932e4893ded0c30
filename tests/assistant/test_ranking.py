"""The ranking of API operations against a question, on the live schema and offline."""

import copy

import pytest

from assistant.operations import (
    EXCLUDE_EXTENSION,
    live_schema,
    operations_from_schema,
    rank_operations,
    split_words,
    tokenize,
)

from .ranking_cases import RANKING_CASES


@pytest.fixture(scope="module")
def schema():
    return live_schema()


def test_cases_name_live_operations(schema):
    labels = {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }

    assert len(RANKING_CASES) >= 30
    for question, expected in RANKING_CASES:
        assert expected in labels, f"{expected} (for {question!r}) is not in the schema"


@pytest.mark.parametrize(("question", "expected"), RANKING_CASES, ids=[q for q, _ in RANKING_CASES])
def test_question_ranks_operation_first(schema, question, expected):
    ranked = rank_operations(schema, question, limit=5)

    assert ranked, f"nothing ranked for {question!r}"
    top = [item.operation.label for item in ranked]
    assert top[0] == expected, f"{question!r} ranked {top}"


def test_hand_over_ranks_assignment_near_top(schema):
    ranked = rank_operations(schema, "How do I hand my ticket to someone who is available?")

    labels = [item.operation.label for item in ranked]
    assert labels.index("PATCH /tickets/{ticket_id}") <= 2, labels


def test_google_sign_in_ranks_browser_flow_near_top(schema):
    ranked = rank_operations(schema, "How do I sign in with Google?")

    labels = [item.operation.label for item in ranked]
    assert "GET /auth/google/login" in labels[:3], labels


def test_marked_callback_is_left_out(schema):
    labels = {operation.label for operation in operations_from_schema(schema)}

    assert "GET /auth/google/callback" not in labels
    assert "GET /auth/google/login" in labels


def test_exclude_extension_drops_operation():
    spec = {"summary": "Create a ticket", "operationId": "tickets_create"}
    schema = {
        "paths": {
            "/tickets": {"post": spec},
            "/probe": {"get": {**spec, EXCLUDE_EXTENSION: True}},
        }
    }

    labels = [item.operation.label for item in rank_operations(schema, "create a ticket")]
    assert labels == ["POST /tickets"]


# Operations that a growing schema is likely to gain and that no helpdesk question is
# about, each with the words such endpoints usually carry. None of them is marked with
# EXCLUDE_EXTENSION, so the ranking itself has to keep them below the expected operations.
UNRELATED_OPERATIONS = {
    "/healthz": {
        "get": {
            "operationId": "healthz_retrieve",
            "summary": "Liveness probe",
            "description": (
                'Returns 200 with `{"status": "ok"}` while the process is up. '
                "It does not check the database or the cache."
            ),
            "tags": ["ops"],
        }
    },
    "/readyz": {
        "get": {
            "operationId": "readyz_retrieve",
            "summary": "Readiness probe: is the service ready to take requests?",
            "description": (
                "Returns 200 when the database and the cache are available, or 503 with the "
                "name of each check that failed, so the load balancer stops sending traffic."
            ),
            "tags": ["ops"],
        }
    },
    "/version": {
        "get": {
            "operationId": "version_retrieve",
            "summary": "The running version and build time",
            "tags": ["ops"],
        }
    },
}


@pytest.fixture(scope="module")
def grown_schema(schema):
    grown = copy.deepcopy(schema)
    grown["paths"].update(copy.deepcopy(UNRELATED_OPERATIONS))
    return grown


@pytest.mark.parametrize(("question", "expected"), RANKING_CASES, ids=[q for q, _ in RANKING_CASES])
def test_ranking_holds_with_unrelated_operations(grown_schema, question, expected):
    ranked = rank_operations(grown_schema, question, limit=5)

    top = [item.operation.label for item in ranked]
    assert top, f"nothing ranked for {question!r}"
    assert top[0] == expected, f"{question!r} ranked {top}"


@pytest.mark.parametrize(("question", "expected"), RANKING_CASES, ids=[q for q, _ in RANKING_CASES])
def test_ranking_holds_without_exclude_marker(schema, question, expected):
    # Without the marker, the OAuth callback's `state` query parameter matches "the state
    # of my printer ticket", and the tickets must still come first.
    unmarked = copy.deepcopy(schema)
    for path_item in unmarked["paths"].values():
        for spec in path_item.values():
            if isinstance(spec, dict):
                spec.pop(EXCLUDE_EXTENSION, None)
    assert "GET /auth/google/callback" in {
        operation.label for operation in operations_from_schema(unmarked)
    }

    ranked = rank_operations(unmarked, question, limit=5)

    top = [item.operation.label for item in ranked]
    assert top, f"nothing ranked for {question!r}"
    assert top[0] == expected, f"{question!r} ranked {top}"


def test_new_item_ranks_collection_create(schema):
    ranked = rank_operations(schema, "How do I open a new ticket?", limit=3)

    labels = [item.operation.label for item in ranked]
    assert labels[0] == "POST /tickets", labels


def test_closed_is_not_stemmed_to_close():
    assert split_words("a closed ticket") == ["closed", "ticket"]
    assert tokenize("closed closing") == ["closed", "close"]


def test_ranking_respects_limit(schema):
    assert len(rank_operations(schema, "ticket", limit=2)) == 2


@pytest.mark.parametrize("question", ["", "   ", "how do I do it?", "zebra quantum banana"])
def test_question_without_api_words_ranks_nothing(schema, question):
    assert rank_operations(schema, question) == []


def test_empty_schema_ranks_nothing():
    assert rank_operations({"paths": {}}, "how do I create a ticket?") == []


def test_scores_descend(schema):
    ranked = rank_operations(schema, "How do I close my ticket?", limit=10)

    scores = [item.score for item in ranked]
    assert scores == sorted(scores, reverse=True)


def test_phrases_join_before_stopwords_drop():
    assert split_words("How do I log in?") == ["login"]
    assert split_words("Log out: revoke the token") == ["logout", "revoke", "token"]
    assert split_words("sign-up") == ["signup"]
