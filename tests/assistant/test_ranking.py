"""The ranking of API operations against a question, on the live schema and offline."""

import pytest

from assistant.operations import live_schema, rank_operations, split_words

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

    assert len(RANKING_CASES) >= 20
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
