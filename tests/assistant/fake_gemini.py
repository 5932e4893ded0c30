"""A fake Gemini API server on 127.0.0.1 for tests that drive the real google-genai client.

It serves `POST /{version}/models/{model}:generateContent` in the REST shape of the Gemini
API, records every request it receives, and replies as the test sets it up: a normal
answer, a slow answer, an HTTP error, no candidates, or a blocking finish reason.
"""

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GENERATE_PATH = re.compile(r"^/(v1|v1beta)/models/(?P<model>[^/:]+):generateContent$")


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def model(self) -> str:
        match = GENERATE_PATH.match(self.path)
        return match.group("model") if match else ""

    @property
    def system_text(self) -> str:
        parts = self.body.get("systemInstruction", {}).get("parts", [])
        return "".join(part.get("text", "") for part in parts)

    @property
    def contents(self) -> list[dict[str, Any]]:
        return self.body.get("contents", [])

    @property
    def roles(self) -> list[str]:
        return [content.get("role", "") for content in self.contents]

    def content_texts(self) -> list[str]:
        return ["".join(p.get("text", "") for p in c.get("parts", [])) for c in self.contents]

    @property
    def prompt_text(self) -> str:
        """The system instruction and every content part, joined, for containment checks."""
        return "\n".join([self.system_text, *self.content_texts()])


@dataclass
class FakeReply:
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0


def usage_metadata(prompt: int = 120, output: int = 30) -> dict[str, int]:
    return {
        "promptTokenCount": prompt,
        "candidatesTokenCount": output,
        "totalTokenCount": prompt + output,
    }


class FakeGemini:
    """The server and the reply it sends next; `replies` are used in order, then `default`."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self.replies: list[FakeReply] = []
        self.default = self.text_reply("This is the fake Gemini answer.")
        self._lock = threading.Lock()
        # Set on shutdown so that a handler waiting to send a slow reply returns at once.
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # Join handler threads on close, so no request outlives the test.
        self._server.daemon_threads = False
        self._server.block_on_close = True
        # A short poll interval makes shutdown() return quickly.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeGemini":
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # Reply builders ------------------------------------------------------------------

    @staticmethod
    def text_reply(
        text: str, *, finish_reason: str = "STOP", prompt_tokens: int = 120, output_tokens: int = 30
    ) -> FakeReply:
        return FakeReply(
            body={
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": text}]},
                        "finishReason": finish_reason,
                        "index": 0,
                    }
                ],
                "usageMetadata": usage_metadata(prompt_tokens, output_tokens),
                "modelVersion": "fake-model",
            }
        )

    @classmethod
    def json_reply(cls, payload: dict[str, Any], **kwargs: Any) -> FakeReply:
        """An answer in the JSON shape the assistant asks for with `responseJsonSchema`."""
        return cls.text_reply(json.dumps(payload), **kwargs)

    @staticmethod
    def no_candidates_reply(block_reason: str | None = "SAFETY") -> FakeReply:
        body: dict[str, Any] = {"usageMetadata": usage_metadata(80, 0)}
        if block_reason:
            body["promptFeedback"] = {"blockReason": block_reason}
        return FakeReply(body=body)

    @staticmethod
    def safety_finish_reply() -> FakeReply:
        return FakeReply(
            body={
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": "Partial text"}]},
                        "finishReason": "SAFETY",
                        "safetyRatings": [
                            {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}
                        ],
                    }
                ],
                "usageMetadata": usage_metadata(90, 2),
            }
        )

    @staticmethod
    def error_reply(
        status: int,
        *,
        message: str = "Upstream failure with internal detail",
        retry_after: str | None = None,
        retry_delay: str | None = None,
    ) -> FakeReply:
        statuses = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
        error: dict[str, Any] = {
            "code": status,
            "message": message,
            "status": statuses.get(status, "INVALID_ARGUMENT"),
        }
        if retry_delay:
            error["details"] = [
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}
            ]
        headers = {"Retry-After": retry_after} if retry_after else {}
        return FakeReply(status=status, body={"error": error}, headers=headers)

    # Server internals ----------------------------------------------------------------

    def _next_reply(self) -> FakeReply:
        with self._lock:
            return self.replies.pop(0) if self.replies else self.default

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (name fixed by BaseHTTPRequestHandler)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {"_unparsed": raw.decode("utf-8", "replace")}
                fake._record(
                    ReceivedRequest(
                        path=self.path,
                        headers={key.lower(): value for key, value in self.headers.items()},
                        body=body,
                    )
                )

                if not GENERATE_PATH.match(self.path):
                    self._send(FakeGemini.error_reply(404, message=f"No route {self.path}"))
                    return

                reply = fake._next_reply()
                if reply.delay_seconds and fake._stopping.wait(reply.delay_seconds):
                    return
                self._send(reply)

            def _send(self, reply: FakeReply) -> None:
                payload = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json; charset=UTF-8")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up first, as it does in the timeout tests.
                    pass

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler
