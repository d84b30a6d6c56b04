"""A real chat-completions server on 127.0.0.1 for the answer tests: it speaks the
OpenAI-compatible protocol (streamed server-sent events `data: {...}` with
choices[0].delta.content, then `data: [DONE]`; or one JSON reply) and records every request it
received. `mode` makes it misbehave: hang (never answers), status (HTTP 5xx), garbage (not the
protocol), bad-chunk (a stream with a chunk that is not JSON), no-done (a stream cut short)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | Callable[[dict], str]


class ChatServer:
    def __init__(self) -> None:
        self.requests: list[dict] = []  # the JSON bodies, in order
        self.headers: list[dict[str, str]] = []
        self.reply: Reply = "An answer [1]."
        self.mode = "ok"
        self.status = 503
        self.piece = 4  # characters per streamed chunk
        self.usage: dict | None = None  # reported in a non-streamed reply when set
        self._stop = threading.Event()
        self._httpd = _Quiet(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> ChatServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # releases hanging requests
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def text_for(self, body: dict) -> str:
        return self.reply(body) if callable(self.reply) else self.reply

    @property
    def prompts(self) -> list[list[dict]]:
        return [body["messages"] for body in self.requests]


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up mid-stream (a cut answer, a timeout) is expected here


def _handler(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet test output

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            server.requests.append(body)
            server.headers.append(dict(self.headers))
            if self.path != "/v1/chat/completions":
                self._send(404, "application/json", b'{"error": "not found"}')
                return
            mode = server.mode
            if mode == "hang":
                server._stop.wait(60)
                return
            if mode == "status":
                self._send(server.status, "application/json", b'{"error": "overloaded"}')
                return
            if mode == "garbage":
                self._send(200, "text/html", b"<html><body>502 Bad Gateway</body></html>")
                return
            text = server.text_for(body)
            if not body.get("stream"):
                reply = {
                    "id": "x",
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                }
                if server.usage:
                    reply["usage"] = server.usage
                self._send(200, "application/json", json.dumps(reply).encode())
                return
            self._stream(text, mode)

        def _stream(self, text: str, mode: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            step = max(1, server.piece)
            for at in range(0, len(text), step):
                delta = {"choices": [{"index": 0, "delta": {"content": text[at : at + step]}}]}
                self._event(json.dumps(delta))
                if mode == "bad-chunk" and at >= len(text) // 2:
                    self._event("{not json")
                    return
            if mode == "no-done":
                return
            self._event(
                json.dumps({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            )
            self._event("[DONE]")

        def _event(self, data: str) -> None:
            self.wfile.write(f"data: {data}\n\n".encode())
            self.wfile.flush()

        def _send(self, status: int, kind: str, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
