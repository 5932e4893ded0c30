"""The API's operations, read from the live OpenAPI schema and ranked against a question.

The ranking is a pure function of a schema dict and a question, so it can be tested offline.
It scores each operation with BM25 over the stemmed words of its path, operation id,
summary, description, tags, parameter names and request body fields. The question is first
expanded with the API's own words for everyday ones ("hand" -> assignee). Then the score is
multiplied by small bonuses: for the HTTP method that the question's verbs imply ("create"
-> POST), for GET when the question asks to read ("What is ..."), and for the shape, a
collection ("my tickets") or one item ("ticket 42").
"""

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

# Weight of each part of an operation in its word bag: the path and the summary name what
# the operation does, the description and parameters only add detail.
FIELD_WEIGHTS = {
    "path": 3,
    "operation_id": 2,
    "summary": 3,
    "tags": 1,
    "description": 1,
    "parameters": 1,
}

# BM25 term-frequency saturation and length normalization, at the values most BM25
# implementations use by default.
BM25_K1 = 1.2
BM25_B = 0.75

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

# Verbs of reading name the action, not its subject, so they only hint at
# GET and are not matched against operation text ("see" is in many summaries).
READ_VERBS = frozenset({"see", "show", "list", "find", "view", "read", "look", "which", "who"})
# A question that starts like this is a request to read something.
READ_QUESTION = re.compile(r"^\W*(what|which|where|who|whose|show|list|is|are|does)\b", re.I)
SHAPE_BONUS = 1.2

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
    query_terms = expand_query([word for word in query_words if word not in READ_VERBS])
    if not query_terms:
        return []
    query_stems = {stem(word) for word in query_words}
    wanted_methods = {
        method for word in query_stems for method in _STEMMED_METHOD_HINTS.get(word, ())
    }
    reads = bool(READ_QUESTION.match(question))
    # A number in the question is most likely an id, as in "ticket 42".
    wants_item = any(word in ITEM_HINTS or word.isdigit() for word in query_words)
    wants_collection = any(word in COLLECTION_HINTS for word in query_words)

    bags = [_word_bag(operation, schema) for operation in operations]
    average_length = sum(sum(bag.values()) for bag in bags) / len(bags)
    document_frequency = Counter(term for bag in bags for term in bag)

    ranked = []
    for operation, bag in zip(operations, bags, strict=True):
        score = _bm25(bag, query_terms, document_frequency, len(bags), average_length)
        if score <= 0:
            continue
        if operation.method in wanted_methods:
            score *= METHOD_BONUS
        if reads and operation.method == "get":
            score *= READ_BONUS
        if _matches_shape(operation, query_words, wants_item, wants_collection):
            score *= SHAPE_BONUS
        ranked.append(RankedOperation(operation=operation, score=round(score, 4)))

    ranked.sort(key=lambda item: -item.score)
    return ranked[:limit]


def _matches_shape(
    operation: Operation, query_words: list[str], wants_item: bool, wants_collection: bool
) -> bool:
    # A path with an id in it is about one item, even when it ends in a sub-collection.
    if "{" in operation.path:
        return wants_item or _names_item(operation.path, query_words)
    # "my tickets" names the collection at the end of "/tickets" in its plural.
    return wants_collection or operation.path.rsplit("/", 1)[-1] in query_words


def _names_item(path: str, query_words: list[str]) -> bool:
    """Tell whether the question names one item of the collection before the path's id.

    "my printer ticket" names one item of "/tickets/{ticket_id}": the singular of the
    collection, with the same stem but not the plural word itself.
    """
    collection = path.split("{", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if not collection or collection in query_words:
        return False
    return any(stem(word) == stem(collection) for word in query_words)


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


def _word_bag(operation: Operation, schema: dict[str, Any]) -> Counter[str]:
    parameters = " ".join(
        str(parameter.get("name", ""))
        for parameter in operation.spec.get("parameters", [])
        if isinstance(parameter, dict)
    )
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
    bag: Counter[str] = Counter()
    for name, text in parts.items():
        for word in tokenize(text):
            bag[word] += FIELD_WEIGHTS[name]
    return bag


def _bm25(
    bag: Counter[str],
    query_terms: Counter[str],
    document_frequency: Counter[str],
    document_count: int,
    average_length: float,
) -> float:
    length = sum(bag.values())
    score = 0.0
    for term, query_weight in query_terms.items():
        frequency = bag.get(term, 0)
        if not frequency:
            continue
        df = document_frequency[term]
        idf = math.log(1 + (document_count - df + 0.5) / (df + 0.5))
        norm = frequency + BM25_K1 * (1 - BM25_B + BM25_B * length / average_length)
        score += query_weight * idf * frequency * (BM25_K1 + 1) / norm
    return score


@functools.cache
def live_schema() -> dict[str, Any]:
    """Generate the OpenAPI schema of this server once per process, as `GET /schema` does."""
    # Imported here because the generator imports every URLconf, which must not happen
    # while this module is imported during app loading.
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)
