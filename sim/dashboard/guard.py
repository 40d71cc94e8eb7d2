"""ASGI middleware around Solara's app: a host-name guard and a hint when assets fail.

* **DNS rebinding.** The server binds to 127.0.0.1, but a page from any web
  site can point its own host name at 127.0.0.1 and then talk to the
  dashboard as if from the same origin. Every HTTP request and WebSocket must
  therefore name this machine in its ``Host`` header (``127.0.0.1``,
  ``localhost`` or ``[::1]``, any port); others get 400 (a WebSocket is closed).
* **Missing front-end assets.** Solara's page is blank if its JavaScript files
  (fetched from a CDN, or from a local cache) cannot load. The page then shows,
  when the dashboard has not appeared after 12 s, what to run to get them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

LOCAL_HOSTS: frozenset[str] = frozenset({"127.0.0.1", "localhost", "[::1]"})

ASSET_HINT = """
<div id="caravan-asset-hint" style="display:none;margin:2em;padding:1em 1.5em;max-width:52em;
 font-family:sans-serif;border:2px solid #BE0032;border-radius:6px;background:#fff">
<h2>The dashboard's front-end files did not load</h2>
<p>Solara fetches its JavaScript from a CDN the first time; this machine could not reach it
and has no local copy. Fetch the same npm packages once, then restart the dashboard:</p>
<pre>bash .ci/browser-deps            # npm packages into ~/.cache/caravan/solara-cdn
uv run caravan-dashboard          # uses that folder when it exists</pre>
<p>(or point <code>SOLARA_ASSETS_PROXY_CACHE_DIR</code> at a folder holding them).</p>
</div>
<script>(function () {
  // The dashboard's own readout appears once the front end has loaded and connected;
  // until then, after 12 s, say what to run (and hide it again if the app turns up late).
  var started = Date.now(), hint = document.getElementById('caravan-asset-hint');
  var timer = setInterval(function () {
    if (document.querySelector('.caravan-readout')) { hint.remove(); clearInterval(timer); }
    else if (Date.now() - started > 12000) { hint.style.display = 'block'; }
  }, 1000);
})();</script>
"""


def host_name(headers: list[tuple[bytes, bytes]]) -> str:
    """The host named by a ``Host`` header, without its port (``[::1]`` keeps brackets)."""
    host = next((v for k, v in headers if k.lower() == b"host"), b"").decode("latin-1").lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


class LocalOnly:
    """Refuse requests whose ``Host`` is not this machine; add the asset hint to the page."""

    def __init__(self, app: App, hosts: frozenset[str] = LOCAL_HOSTS) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        kind = scope["type"]
        if kind in ("http", "websocket") and host_name(scope.get("headers", [])) not in self.hosts:
            if kind == "websocket":
                await receive()  # the websocket.connect message
                await send({"type": "websocket.close", "code": 1008})
                return
            body = b"Host not allowed: the dashboard answers only 127.0.0.1 / localhost.\n"
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if kind == "http" and scope.get("method") == "GET" and scope.get("path") == "/":
            await self._page(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _page(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the page uncompressed, with :data:`ASSET_HINT` after ``<body…>``."""
        scope = dict(scope)
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [
                (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
            ]
            is_html = any(k.lower() == b"content-type" and b"text/html" in v for k, v in headers)
            at = body.find(b">", body.find(b"<body")) if is_html and b"<body" in body else -1
            if at >= 0:
                body = body[: at + 1] + ASSET_HINT.encode() + body[at + 1 :]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)
