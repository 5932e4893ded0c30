"""The API's operations, read from the live OpenAPI schema and ranked against a question.

The ranking is a pure function of a schema dict and a question, so it can be tested offline.
Operations marked with the `x-assistant-exclude` extension are left out. The rest are scored
with BM25F over the stemmed words of their path, operation id, summary, description, tags,
parameter names and request body fields, each field normalized by its own length. The
question is first expanded with the API's own words for everyday ones ("hand" -> assignee).
Then the score is multiplied by small bonuses: for the HTTP method that the question's verbs
imply ("create" -> POST), for GET when the question asks to read ("What is ..."), and for
the shape, a collection ("my tickets"), one item ("ticket 42") or one item's sub-collection
("the comments on ticket 42")."""

import functools
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import snowballstemmer

HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# An OpenAPI extension that keeps an operation out of the assistant's prompt. Set it with
# `extend_schema(extensions={EXCLUDE_EXTENSION: True})` on an operation that no person
# asking the helpdesk would call: an OAuth callback that only the provider redirects to,
# or a health or readiness probe. Such operations stay in the public schema.
EXCLUDE_EXTENSION = "x-assistant-exclude"

# The Snowball English (Porter2) stemmer: "availability" and "available" both become "avail".
# A stemmer object keeps its working state on itself, so threads take turns with it.
_STEMMER = snowballstemmer.stemmer("english")
_STEMMER_LOCK = threading.Lock()
# Words kept whole because their stem means something else here. "closed" is a ticket
# status: "reopen a closed ticket" is about tickets in that status, while "close this"
# asks for the transition, and the stemmer would make both "close".
UNSTEMMED_WORDS = frozenset({"closed"})

# Weight of each part of an operation in BM25F: the path and the summary name what the
# operation does, the description and parameters only add detail. Parameter names weigh
# least because many are protocol words ("cursor", or "state" and "code" in an OAuth
# callback) that say nothing about what a person can do with the operation.
FIELD_WEIGHTS = {
    "path": 3.0,
    "operation_id": 2.0,
    "summary": 3.0,
    "tags": 1.0,
    "description": 1.0,
    "parameters": 0.5,
}

# BM25 term-frequency saturation, at the value most BM25 implementations use by default.
BM25_K1 = 1.2
# Length normalization per field, so that a long description lowers the weight of the
# description's words only and not of the summary's. 0.75 is the usual BM25 default.
# The path and the operation id are short and similar in length everywhere, so they are
# not normalized.
FIELD_LENGTH_NORMALIZATION = {
    "path": 0.0,
    "operation_id": 0.0,
    "summary": 0.75,
    "tags": 0.0,
    "description": 1.0,
    "parameters": 0.0,
}

STOPWORDS = frozenset(
    """a about after again also am an and any are as at be been being but by can could
    did do does doing for from get got had has have having here how i if in into is it its
    just let me might more most much my no not of on once only or other our out own please
    same should so some such than that the their them then there these they those to
    too up us very was way we were what where while whom why will with would
    you your yours""".split()
)

# Two-word phrases whose words mean something else alone, for example once "in", "out" and
# "up" are dropped as stopwords. Applied to questions and operation text alike.
PHRASES = [
    (re.compile(r"\b(?:log|sign)[\s_-]*in\b"), "login"),
    (re.compile(r"\b(?:log|sign)[\s_-]*out\b"), "logout"),
    (re.compile(r"\bsign[\s_-]*up\b"), "signup"),
    # "the state machine" in an operation's text is not about "the state of my ticket".
    (re.compile(r"\bstate[\s_-]*machine\b"), "statemachine"),
]

# The action words drf-spectacular appends to generated operation ids; they repeat the
# HTTP method, which the method bonus already weighs.
OPERATION_ID_SUFFIXES = re.compile(r"_(list|create|retrieve|partial_update|update|destroy)$")

# Words that mark a question about a whole collection, or about one item in it.
COLLECTION_HINTS = frozenset(
    {"all", "list", "every", "previous", "past", "earlier", "filter", "search", "find", "mine"}
)
ITEM_HINTS = frozenset({"one", "this", "single", "particular", "specific"})
# Words that, just before a noun, mark an item that does not exist yet ("a new ticket").
NEW_ITEM_WORDS = frozenset({"new", "another", "fresh"})

# Verbs of reading name the action, not its subject, so they only hint at
# GET and are not matched against operation text ("see" is in many summaries).
READ_VERBS = frozenset({"see", "show", "list", "find", "view", "read", "look", "which", "who"})
# A question that starts like this is a request to read something.
READ_QUESTION = re.compile(r"^\W*(what|which|where|who|whose|show|list|is|are|does)\b", re.I)
SHAPE_BONUS = 1.2
# Words that only hint at the method or the shape, through the bonuses, and are not
# matched against operation text ("this" is in many descriptions).
SHAPE_WORDS = READ_VERBS | ITEM_HINTS

# Words of a question that mean one thing in this API, mapped to the API's own words,
# which are added to the question with the same weight as its own words.
STRONG_SYNONYMS: dict[str, tuple[str, ...]] = {
    "hand": ("assignee",),
    "handover": ("assignee",),
    "reassign": ("assignee",),
    "delegate": ("assignee",),
    "transfer": ("assignee",),
    "changed": ("history",),
    "happened": ("history",),
    "when": ("history",),
    "timeline": ("history",),
    "audit": ("history",),
    "profile": ("account",),
    "chat": ("conversation",),
    "vacation": ("availability",),
    "holiday": ("availability",),
    "away": ("availability",),
    "absent": ("availability",),
    "unavailable": ("availability",),
    "urgent": ("priority",),
    "expired": ("refresh",),
    "renew": ("refresh",),
    "sort": ("ordering",),
    "note": ("comment",),
    "reply": ("comment",),
    "private": ("internal",),
    "rating": ("feedback",),
    "satisfied": ("feedback",),
    "satisfaction": ("feedback",),
    "average": ("median",),
    "statistics": ("analytics",),
    "stats": ("analytics",),
    "metrics": ("analytics",),
}

# Words of a question that hint at the API's words, which are added at half weight.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "give": ("assign", "assignee"),
    "owner": ("assign", "assignee"),
    "responsible": ("assign", "assignee"),
    "someone": ("user", "availability"),
    "somebody": ("user", "availability"),
    "colleague": ("user", "availability"),
    "free": ("availability",),
    "busy": ("availability",),
    "close": ("transition", "status"),
    "resolve": ("transition", "status"),
    "finish": ("transition", "status"),
    "done": ("transition", "status"),
    "complete": ("transition", "status"),
    "start": ("transition", "status"),
    "begin": ("transition", "status"),
    "work": ("transition", "status", "progress"),
    "progress": ("transition", "status"),
    "state": ("status",),
    "open": ("ticket",),
    "file": ("ticket", "create"),
    "report": ("ticket", "create"),
    "raise": ("ticket", "create"),
    "submit": ("ticket", "create"),
    "issue": ("ticket",),
    "problem": ("ticket",),
    "request": ("ticket",),
    "printer": ("ticket",),
    "broken": ("ticket",),
    "authenticate": ("login", "token"),
    "credential": ("login",),
    "password": ("login",),
    "account": ("signup",),
    "session": ("token", "refresh"),
    "token": ("refresh",),
    "history": ("event",),
    "assistant": ("chat", "ask"),
    "question": ("chat", "ask"),
    "important": ("priority",),
    "write": ("comment",),
    "rate": ("feedback",),
    "again": ("reopen",),
    "average": ("analytics",),
    "long": ("time", "hour"),
    "many": ("count",),
}

# Verbs that imply the HTTP method of the operation the question is about.
METHOD_HINTS: dict[str, tuple[str, ...]] = {
    "create": ("post",),
    "new": ("post",),
    "file": ("post",),
    "report": ("post",),
    "raise": ("post",),
    "submit": ("post",),
    "add": ("post",),
    "write": ("post",),
    "ask": ("post",),
    "register": ("post",),
    "signup": ("post",),
    "login": ("post",),
    "logout": ("post",),
    "close": ("patch", "put"),
    "start": ("patch", "put"),
    "change": ("patch", "put"),
    "update": ("patch", "put"),
    "edit": ("patch", "put"),
    "rename": ("patch", "put"),
    "set": ("patch", "put"),
    "mark": ("patch", "put"),
    "hand": ("patch", "put"),
    "reassign": ("patch", "put"),
    "assign": ("patch", "put"),
    "delete": ("delete",),
    "remove": ("delete",),
    "forget": ("delete",),
    "list": ("get",),
    "show": ("get",),
    "see": ("get",),
    "find": ("get",),
    "search": ("get",),
    "filter": ("get",),
    "sort": ("get",),
    "view": ("get",),
    "read": ("get",),
    "look": ("get",),
    "which": ("get",),
    "who": ("get",),
    "status": ("get",),
    "state": ("get",),
}
METHOD_BONUS = 1.25
READ_BONUS = 1.6
# NOTE: the field weights, synonyms and bonuses are tuned on the questions in
# tests/assistant/ranking_cases.py, and the closest of them comes first by only about 4%.


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str = ""
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    # The full OpenAPI operation object, for the prompt's description of it.
    spec: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class RankedOperation:
    operation: Operation
    score: float


def split_words(text: str) -> list[str]:
    """Split text into lower-case words without stopwords, splitting camelCase and snake_case."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text).lower()
    for pattern, replacement in PHRASES:
        text = pattern.sub(replacement, text)
    words = re.findall(r"[a-z0-9]+", text)
    return [word for word in words if word not in STOPWORDS and len(word) > 1]


def tokenize(text: str) -> list[str]:
    """Split text into stemmed words, so that "tickets", "assigned" and "closing" match."""
    return [stem(word) for word in split_words(text)]


@functools.cache
def stem(word: str) -> str:
    if word in UNSTEMMED_WORDS:
        return word
    with _STEMMER_LOCK:
        return _STEMMER.stemWord(word)


def operations_from_schema(schema: dict[str, Any]) -> list[Operation]:
    """List the schema's operations in path order, without those marked with
    `EXCLUDE_EXTENSION`."""
    operations = []
    for path, path_item in sorted(schema.get("paths", {}).items()):
        for method in HTTP_METHODS:
            spec = path_item.get(method)
            if not isinstance(spec, dict) or spec.get(EXCLUDE_EXTENSION) is True:
                continue
            operations.append(
                Operation(
                    method=method,
                    path=path,
                    operation_id=str(spec.get("operationId", "")),
                    summary=str(spec.get("summary", "")),
                    description=str(spec.get("description", "")),
                    tags=tuple(str(tag) for tag in spec.get("tags", [])),
                    spec=spec,
                )
            )
    return operations


def rank_operations(
    schema: dict[str, Any], question: str, *, limit: int = 8
) -> list[RankedOperation]:
    """Return up to `limit` operations of `schema` that best match `question`, best first.

    Operations that share no word with the expanded question are left out, so an
    unrelated question gets an empty list. Ties keep the schema's path order.
    """
    operations = operations_from_schema(schema)
    if not operations:
        return []

    query_words = split_words(question)
    query_terms = expand_query([word for word in query_words if word not in SHAPE_WORDS])
    if not query_terms:
        return []
    query_stems = {stem(word) for word in query_words}
    implied_methods = {
        method for word in query_stems for method in _STEMMED_METHOD_HINTS.get(word, ())
    }
    # "What is ...", or "How do I filter ..." where every verb that hints at a method
    # hints at GET, is a request to read.
    reads = bool(READ_QUESTION.match(question)) or implied_methods == {"get"}
    # A number in the question is most likely an id, as in "ticket 42".
    has_id = any(word.isdigit() for word in query_words)
    wants_item = has_id or any(word in ITEM_HINTS for word in query_words)
    wants_collection = any(word in COLLECTION_HINTS for word in query_words)

    documents = [_fields(operation, schema) for operation in operations]
    average_lengths = {
        name: sum(sum(document[name].values()) for document in documents) / len(documents)
        for name in FIELD_WEIGHTS
    }
    document_frequency = Counter(
        term for document in documents for term in set().union(*document.values())
    )

    ranked = []
    for operation, document in zip(operations, documents, strict=True):
        score = _bm25f(document, query_terms, document_frequency, len(documents), average_lengths)
        if score <= 0:
            continue
        if operation.method in implied_methods:
            score *= METHOD_BONUS
        if reads and operation.method == "get":
            score *= READ_BONUS
        if _matches_shape(
            operation, query_words, query_terms, wants_item, wants_collection, has_id
        ):
            score *= SHAPE_BONUS
        ranked.append(RankedOperation(operation=operation, score=round(score, 4)))

    ranked.sort(key=lambda item: -item.score)
    return ranked[:limit]


def _matches_shape(
    operation: Operation,
    query_words: list[str],
    query_terms: Counter[str],
    wants_item: bool,
    wants_collection: bool,
    has_id: bool,
) -> bool:
    segments = operation.path.strip("/").split("/")
    last = segments[-1]
    collection = _collection_before_id(operation.path)

    # "/tickets/{ticket_id}" is one item.
    if last.startswith("{"):
        return wants_item or _names_item(collection, query_words)
    # "/tickets/{ticket_id}/history" is a sub-collection or an action of one item. The
    # question must name it ("history", or a synonym such as "changed"), or else
    # "Show me ticket 42" would favor the item's history as much as the item.
    if "{" in operation.path:
        return stem(last) in query_terms
    # "my tickets" names the collection "/tickets" in its plural, and "a new ticket" names an
    # item that does not exist yet, so it is created in the collection.
    if wants_collection or last in query_words or _names_new_item(last, query_words):
        return True
    # "my printer ticket", without an id, names an item that the caller has to find in the
    # collection first.
    return operation.method == "get" and not has_id and _names_item(last, query_words)


def _collection_before_id(path: str) -> str:
    """Return the last segment before the path's first parameter, "tickets" in
    "/tickets/{ticket_id}/history", or "" for a path without parameters."""
    if "{" not in path:
        return ""
    return path.split("{", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _names_item(collection: str, query_words: list[str]) -> bool:
    """Tell whether the question names one existing item of `collection`.

    "my printer ticket" names one item of "/tickets/{ticket_id}": the singular of the
    collection, with the same stem but not the plural word itself. "a new ticket" names an
    item that does not exist yet, so it does not count.
    """
    if not collection or collection in query_words:
        return False
    return any(
        stem(word) == stem(collection) and not _follows_new(query_words, index)
        for index, word in enumerate(query_words)
    )


def _names_new_item(collection: str, query_words: list[str]) -> bool:
    """Tell whether the question asks for a new item of `collection`, as in "a new ticket"."""
    return any(
        stem(word) == stem(collection) and _follows_new(query_words, index)
        for index, word in enumerate(query_words)
    )


def _follows_new(query_words: list[str], index: int) -> bool:
    return index > 0 and query_words[index - 1] in NEW_ITEM_WORDS


def expand_query(words: list[str]) -> Counter[str]:
    """Weigh the question's stemmed words and their strong synonyms 1, other synonyms 0.5."""
    terms: Counter[str] = Counter()
    for word in words:
        word_stem = stem(word)
        terms[word_stem] += 1.0
        for synonym in _STEMMED_STRONG_SYNONYMS.get(word_stem, ()):
            terms[synonym] += 1.0
        for synonym in _STEMMED_SYNONYMS.get(word_stem, ()):
            terms[synonym] += 0.5
    return terms


def _stem_keys(table: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    # Looked up by stem, so that "chats" finds "chat" and "closing" finds "close".
    return {stem(word): tuple(stem(value) for value in values) for word, values in table.items()}


_STEMMED_STRONG_SYNONYMS = _stem_keys(STRONG_SYNONYMS)
_STEMMED_SYNONYMS = _stem_keys(SYNONYMS)
_STEMMED_METHOD_HINTS = {stem(word): methods for word, methods in METHOD_HINTS.items()}


def request_body_fields(operation: Operation, schema: dict[str, Any]) -> list[str]:
    """Name the writable top-level fields of the operation's JSON request body."""
    content = operation.spec.get("requestBody", {}).get("content", {})
    media = content.get("application/json") or next(iter(content.values()), None)
    if not isinstance(media, dict):
        return []
    body = resolve_ref(media.get("schema", {}), schema)
    return [
        name
        for name, field_schema in body.get("properties", {}).items()
        if not resolve_ref(field_schema, schema).get("readOnly")
    ]


def resolve_ref(node: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Follow local `$ref`s, and single-option allOf/oneOf/anyOf wrappers, to a schema object."""
    for _ in range(5):
        if "$ref" in node:
            name = str(node["$ref"]).rsplit("/", 1)[-1]
            node = schema.get("components", {}).get("schemas", {}).get(name, {})
            continue
        for key in ("allOf", "oneOf", "anyOf"):
            options = [option for option in node.get(key, []) if option.get("type") != "null"]
            if len(options) == 1:
                node = {**{k: v for k, v in node.items() if k != key}, **options[0]}
                break
        else:
            return node
    return node


def _fields(operation: Operation, schema: dict[str, Any]) -> dict[str, Counter[str]]:
    """Count the stemmed words of each part of the operation that BM25F weighs."""
    parameters = " ".join(_parameter_words(operation, schema))
    # Path parameters such as {id} say nothing about what the operation does.
    path = re.sub(r"\{[^}]*\}", " ", operation.path)
    parts = {
        "path": path,
        "operation_id": OPERATION_ID_SUFFIXES.sub("", operation.operation_id),
        "summary": operation.summary,
        "tags": " ".join(operation.tags),
        "description": operation.description,
        "parameters": f"{parameters} {' '.join(request_body_fields(operation, schema))}",
    }
    return {name: Counter(tokenize(text)) for name, text in parts.items()}


def _parameter_words(operation: Operation, schema: dict[str, Any]) -> list[str]:
    """List the operation's parameter names, and the allowed values of its query parameters.

    The values of a filter name what it finds: "Which of my tickets are open?" asks for
    `GET /tickets?status=open`.
    """
    words = []
    for parameter in operation.spec.get("parameters", []):
        if not isinstance(parameter, dict):
            continue
        words.append(str(parameter.get("name", "")))
        if parameter.get("in") == "query":
            values = resolve_ref(parameter.get("schema", {}), schema).get("enum") or []
            words.extend(str(value) for value in values if value is not None)
    return words


def _bm25f(
    fields: dict[str, Counter[str]],
    query_terms: Counter[str],
    document_frequency: Counter[str],
    document_count: int,
    average_lengths: dict[str, float],
) -> float:
    """Score one operation with BM25F, which normalizes each field by its own length.

    A term's frequencies in the fields are normalized, weighed and summed before the
    saturation, so a word repeated in many fields does not count many times over.
    """
    normalizers = {}
    for name, bag in fields.items():
        b = FIELD_LENGTH_NORMALIZATION[name]
        average = average_lengths[name] or 1.0
        normalizers[name] = 1 - b + b * sum(bag.values()) / average

    score = 0.0
    for term, query_weight in query_terms.items():
        frequency = sum(
            FIELD_WEIGHTS[name] * bag[term] / normalizers[name]
            for name, bag in fields.items()
            if bag.get(term)
        )
        if not frequency:
            continue
        df = document_frequency[term]
        idf = math.log(1 + (document_count - df + 0.5) / (df + 0.5))
        score += query_weight * idf * frequency * (BM25_K1 + 1) / (frequency + BM25_K1)
    return score


@functools.cache
def live_schema() -> dict[str, Any]:
    """Generate the OpenAPI schema of this server once per process, as `GET /schema` does."""
    # Imported here because the generator imports every URLconf, which must not happen
    # while this module is imported during app loading.
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)
