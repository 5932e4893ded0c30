"""A thin wrapper over the Google Gen AI SDK (`google-genai`) for one `generateContent` call.

It turns every failure of the call into one of the exceptions below, each already in the
API's error shape, so that no SDK exception, Google error body or API key reaches a client.

The SDK is imported on the first call, not with this module. Importing google-genai 3.6.1
took about a second on the 2-core development machine, and the URLconf imports this module,
so that second would otherwise land on the first request to any endpoint.
"""

import logging
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import httpx2
from django.conf import settings
from django.utils import timezone
from rest_framework import status

from config.errors import ApplicationError

if TYPE_CHECKING:
    from google import genai
    from google.genai import errors as genai_errors
    from google.genai import types

logger = logging.getLogger(__name__)

# Finish reasons after which the candidate's text must not be shown: the model stopped
# because of a content filter, not because the answer was complete.
BLOCKING_FINISH_REASONS = frozenset(
    {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE"}
)

# Upper bound for a Retry-After value taken from Gemini, so that a malformed or hostile
# value cannot tell clients to stay away for days.
MAX_RETRY_AFTER_SECONDS = 3600


class AssistantError(ApplicationError):
    """A Gemini call failed. `outcome` is the word logged for the call."""

    outcome = "error"


class AssistantNotConfigured(AssistantError):
    outcome = "not_configured"

    def __init__(self) -> None:
        super().__init__(
            "The assistant is not configured: the server has no Gemini API key. "
            "Ask an administrator to set GEMINI_API_KEY.",
            code="assistant_not_configured",
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )


class AssistantTimeout(AssistantError):
    outcome = "timeout"

    def __init__(self, timeout_seconds: float) -> None:
        super().__init__(
            f"The assistant did not answer within {timeout_seconds:g} seconds. Try again later.",
            code="assistant_timeout",
            status_code=status.HTTP_504_GATEWAY_TIMEOUT,
        )


class AssistantUnavailable(AssistantError):
    """Gemini rejected or failed the call.

    DRF's exception handler turns `wait` into a `Retry-After` header, so the header is sent
    only when Gemini gave a delay.
    """

    outcome = "unavailable"

    def __init__(self, *, code: str, detail: str, wait: int | None, outcome: str) -> None:
        super().__init__(detail, code=code, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
        self.wait = wait
        self.outcome = outcome


@dataclass(frozen=True)
class TokenUsage:
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None


@dataclass(frozen=True)
class GeminiReply:
    """The text of the first candidate, or `blocked_reason` when there is no usable text."""

    text: str
    model: str
    latency_ms: int
    usage: TokenUsage = field(default_factory=TokenUsage)
    finish_reason: str = ""
    blocked_reason: str = ""

    @property
    def answered(self) -> bool:
        return not self.blocked_reason


@dataclass(frozen=True)
class GeminiConfig:
    api_key: str
    model: str
    timeout_seconds: float
    base_url: str

    @classmethod
    def from_settings(cls) -> "GeminiConfig":
        return cls(
            api_key=settings.GEMINI_API_KEY,
            model=settings.GEMINI_MODEL,
            timeout_seconds=settings.GEMINI_TIMEOUT_SECONDS,
            base_url=settings.GEMINI_BASE_URL,
        )

    @property
    def is_configured(self) -> bool:
        return bool(self.api_key.strip())


def gemini_generate(
    *,
    config: GeminiConfig,
    system_instruction: str,
    contents: list[dict[str, Any]],
    response_json_schema: dict[str, Any] | None = None,
) -> GeminiReply:
    """Send one `generateContent` request and return the reply's text and token usage.

    `contents` is in the REST shape, `[{"role": "user", "parts": [{"text": "..."}]}]`.
    Raises AssistantNotConfigured, AssistantTimeout or AssistantUnavailable. A reply that was
    blocked or has no text is not an error: it comes back with `blocked_reason` set.
    """
    if not config.is_configured:
        raise AssistantNotConfigured()

    from google.genai import errors as genai_errors
    from google.genai import types

    generate_config = types.GenerateContentConfig(
        system_instruction=system_instruction,
        response_mime_type="application/json" if response_json_schema else None,
        response_json_schema=response_json_schema,
        # One request per question: no tool calls and no follow-up requests.
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        automatic_continuation=False,
    )
    started = time.monotonic()
    try:
        with _build_client(config) as client:
            response = client.models.generate_content(
                model=config.model, contents=contents, config=generate_config
            )
    except httpx2.TimeoutException as exc:
        logger.warning(
            "Gemini request timed out after %.0f ms (limit %s s): %s",
            _elapsed_ms(started),
            config.timeout_seconds,
            type(exc).__name__,
        )
        raise AssistantTimeout(config.timeout_seconds) from exc
    except httpx2.TransportError as exc:
        logger.error("Gemini request failed to connect: %s", type(exc).__name__)
        raise AssistantUnavailable(
            code="assistant_unavailable",
            detail="The assistant could not reach its language model. Try again later.",
            wait=None,
            outcome="connection_error",
        ) from exc
    except genai_errors.APIError as exc:
        raise _unavailable_from_api_error(exc) from exc
    except genai_errors.UnknownApiResponseError as exc:
        logger.error("Gemini returned a body that is not JSON")
        raise AssistantUnavailable(
            code="assistant_unavailable",
            detail="The assistant's language model sent an unreadable reply. Try again later.",
            wait=None,
            outcome="upstream_error",
        ) from exc

    return _reply_from_response(response, model=config.model, latency_ms=_elapsed_ms(started))


def _build_client(config: GeminiConfig) -> "genai.Client":
    from google import genai
    from google.genai import types

    http_options = types.HttpOptions(
        # The SDK takes the timeout in milliseconds.
        # NOTE: httpx2 applies it to each connect, read and write, not to the whole call, so
        # a server that trickles bytes slower than the timeout can hold the request longer.
        timeout=max(1, round(config.timeout_seconds * 1000)),
        # The SDK retries nothing by default; stating it keeps one attempt per question
        # even if a later SDK version changes that default.
        retry_options=types.HttpRetryOptions(attempts=1),
        base_url=config.base_url or None,
    )
    return genai.Client(api_key=config.api_key, http_options=http_options)


def _unavailable_from_api_error(exc: "genai_errors.APIError") -> AssistantUnavailable:
    from google.genai import errors as genai_errors

    # Google's message can echo parts of the request, so it is logged, never sent on.
    logger.error(
        "Gemini returned HTTP %s (%s): %s", exc.code, exc.status, (exc.message or "")[:300]
    )
    wait = _retry_after_seconds(exc)
    if exc.code == status.HTTP_429_TOO_MANY_REQUESTS:
        return AssistantUnavailable(
            code="assistant_busy",
            detail="The assistant's language model is over its request quota. Try again later.",
            wait=wait,
            outcome="upstream_rate_limited",
        )
    if isinstance(exc, genai_errors.ServerError):
        return AssistantUnavailable(
            code="assistant_unavailable",
            detail="The assistant's language model failed to answer. Try again later.",
            wait=wait,
            outcome="upstream_error",
        )
    # Any other 4xx means our request or configuration is wrong (bad key, unknown model),
    # which a client cannot fix by retrying.
    return AssistantUnavailable(
        code="assistant_misconfigured",
        detail="The assistant's language model rejected the request. "
        "Ask an administrator to check the Gemini settings.",
        wait=None,
        outcome="upstream_rejected",
    )


def _retry_after_seconds(exc: "genai_errors.APIError") -> int | None:
    """Read the delay Gemini asked for: the Retry-After header, else a google.rpc.RetryInfo."""
    headers = getattr(exc.response, "headers", None)
    header = headers.get("retry-after") if headers is not None else None
    if header:
        seconds = _parse_retry_after_header(header)
        if seconds is not None:
            return seconds

    details = exc.details.get("error", exc.details) if isinstance(exc.details, dict) else {}
    for detail in details.get("details", []) if isinstance(details, dict) else []:
        if not isinstance(detail, dict):
            continue
        if not str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            continue
        # RetryInfo.retryDelay is a protobuf Duration in JSON form, e.g. "17s" or "0.5s".
        delay = str(detail.get("retryDelay", "")).strip()
        if delay.endswith("s"):
            try:
                return _clamp_wait(float(delay[:-1]))
            except ValueError:
                return None
    return None


def _parse_retry_after_header(value: str) -> int | None:
    value = value.strip()
    if value.isdigit():
        return _clamp_wait(float(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return _clamp_wait((when - timezone.now()).total_seconds())


def _clamp_wait(seconds: float) -> int:
    # Round up so that a client waiting the advertised time does not come back too early.
    whole = int(seconds) + (0 if seconds == int(seconds) else 1)
    return min(max(whole, 1), MAX_RETRY_AFTER_SECONDS)


def _reply_from_response(
    response: "types.GenerateContentResponse", *, model: str, latency_ms: int
) -> GeminiReply:
    metadata = response.usage_metadata
    usage = TokenUsage(
        prompt_tokens=metadata.prompt_token_count if metadata else None,
        output_tokens=metadata.candidates_token_count if metadata else None,
        total_tokens=metadata.total_token_count if metadata else None,
    )

    if not response.candidates:
        feedback = response.prompt_feedback
        reason = feedback.block_reason if feedback and feedback.block_reason else None
        return GeminiReply(
            text="",
            model=model,
            latency_ms=latency_ms,
            usage=usage,
            blocked_reason=_enum_name(reason) if reason else "NO_CANDIDATES",
        )

    candidate = response.candidates[0]
    finish_reason = _enum_name(candidate.finish_reason) if candidate.finish_reason else ""
    if finish_reason in BLOCKING_FINISH_REASONS:
        return GeminiReply(
            text="",
            model=model,
            latency_ms=latency_ms,
            usage=usage,
            finish_reason=finish_reason,
            blocked_reason=finish_reason,
        )

    parts = candidate.content.parts if candidate.content and candidate.content.parts else []
    # Thought parts are the model's reasoning, not its answer.
    text = "".join(part.text for part in parts if part.text and not part.thought).strip()
    return GeminiReply(
        text=text,
        model=model,
        latency_ms=latency_ms,
        usage=usage,
        finish_reason=finish_reason,
        blocked_reason="" if text else "EMPTY",
    )


def _enum_name(value: Any) -> str:
    return str(getattr(value, "value", value))


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
