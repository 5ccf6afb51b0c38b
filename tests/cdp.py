"""Headless Chromium driven over the DevTools protocol: real mouse and key events, the page's
JavaScript, the requests it made, screenshots.

Chromium speaks the protocol on a pipe (`--remote-debugging-pipe`: NUL-terminated JSON on its
file descriptors 3 and 4, as Playwright and Puppeteer drive it), so the standard library is
enough: no websocket client, no driver package, no browser download.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.browser import HEADLESS_FLAGS, chromium
from tests.processes import stop

Message = dict[str, Any]


class ProtocolError(AssertionError):
    """A command Chromium answered with an error, or a script that threw."""


class Connection:
    """The browser end of the pipe: commands answered in order, events kept as they come."""

    def __init__(self, reader: int, writer: int, log: Path) -> None:
        self._reader, self._writer, self._log = reader, writer, log
        self._buffer = b""
        self._last_id = 0
        self.events: list[Message] = []

    def call(
        self,
        method: str,
        params: Message | None = None,
        *,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> Message:
        """Send one command and return its result; events read meanwhile go to `events`."""
        self._last_id += 1
        message: Message = {"id": self._last_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._writer, data) :]
        deadline = time.monotonic() + timeout
        while True:
            reply = self._next(deadline, method)
            if reply.get("id") != self._last_id:
                self.events.append(reply)
            elif "error" in reply:
                raise ProtocolError(f"{method}: {reply['error']}")
            else:
                result: Message = reply["result"]
                return result

    def wait_event(
        self, method: str, *, since: int, session: str | None = None, timeout: float = 30.0
    ) -> Message:
        """The first `method` event at or after index `since` of `events`, reading until it
        arrives."""
        deadline = time.monotonic() + timeout
        seen = since
        while True:
            for event in self.events[seen:]:
                if event.get("method") == method and event.get("sessionId") == session:
                    params: Message = event.get("params", {})
                    return params
            seen = len(self.events)
            self.events.append(self._next(deadline, method))

    def _next(self, deadline: float, waiting_for: str) -> Message:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._reader], [], [], remaining)[0]:
                raise TimeoutError(f"Chromium did not answer {waiting_for}: {self._tail()}")
            chunk = os.read(self._reader, 1 << 16)
            if not chunk:
                raise ConnectionError(f"Chromium closed the pipe: {self._tail()}")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: Message = json.loads(raw)
        return message

    def _tail(self) -> str:
        return self._log.read_text(errors="replace")[-3000:]


class Page:
    """One tab, attached as a flat session."""

    def __init__(self, connection: Connection, session: str) -> None:
        self.connection, self.session = connection, session

    def call(self, method: str, params: Message | None = None, timeout: float = 30.0) -> Message:
        return self.connection.call(method, params, session=self.session, timeout=timeout)

    def navigate(self, url: str) -> None:
        """Load `url` and return once its load event fired."""
        mark = len(self.connection.events)
        self.call("Page.navigate", {"url": url})
        self.connection.wait_event("Page.loadEventFired", since=mark, session=self.session)

    def before_scripts(self, source: str) -> None:
        """Run `source` in every document this page loads from now on, before its scripts."""
        self.call("Page.addScriptToEvaluateOnNewDocument", {"source": source})

    def evaluate(self, expression: str, timeout: float = 30.0) -> Any:
        """`expression`'s value in the page's global scope (promises awaited), as JSON."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise ProtocolError(details.get("exception", {}).get("description") or str(details))
        return result["result"].get("value")

    def wait_for(self, condition: str, timeout: float = 60.0) -> Any:
        """Re-check the JavaScript expression `condition` in the page (every 20 ms of the
        page's own timers) until it is truthy, and return its value; fail after `timeout` s."""
        script = f"""new Promise((resolve, reject) => {{
          const deadline = performance.now() + {timeout * 1000};
          const check = () => {{
            let value;
            try {{ value = ({condition}); }} catch (error) {{ value = undefined; }}
            if (value) resolve(value);
            else if (performance.now() > deadline) reject(new Error("timed out: " + {json.dumps(condition)}));
            else setTimeout(check, 20);
          }};
          check();
        }})"""
        return self.evaluate(script, timeout=timeout + 10)

    def click(self, x: float, y: float) -> None:
        """A left click at viewport CSS pixel (x, y): move, press, release."""
        self.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        for kind in ("mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1},
            )

    def click_element(self, selector: str) -> None:
        """Click the middle of the element `selector` finds."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        self.click(*box)

    def type(self, text: str) -> None:
        """Key presses for each character of `text`, into whatever has the focus."""
        for char in text:
            self.call("Input.dispatchKeyEvent", {"type": "keyDown", "text": char, "key": char})
            self.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": char})

    def screenshot(self, path: Path) -> None:
        """The viewport as a PNG at `path`."""
        shot = self.call("Page.captureScreenshot", {"format": "png"})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def requests(self) -> list[Message]:
        """Every request this page made so far, as the Network domain saw it (`url`, `method`,
        `postData`…), failed ones too."""
        self.evaluate("0")  # its answer comes after every event sent before it
        return [
            e["params"]["request"]
            for e in self.connection.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == self.session
        ]


@contextlib.contextmanager
def open_page(width: int = 1400, height: int = 900, *flags: str) -> Iterator[Page]:
    """A fresh headless Chromium (throwaway profile) with one blank tab of `width` x `height`
    CSS pixels, its Network domain recording; closed however the block ends."""
    executable = chromium()
    to_browser = os.pipe()
    from_browser = os.pipe()

    def on_fds_3_and_4() -> None:  # in the child, before exec
        inbound = fcntl.fcntl(to_browser[0], fcntl.F_DUPFD, 10)
        outbound = fcntl.fcntl(from_browser[1], fcntl.F_DUPFD, 10)
        os.dup2(inbound, 3)
        os.dup2(outbound, 4)

    # Chromium's helpers (renderer, GPU, crash handler) may outlive the browser process for a
    # moment, still writing into the profile: they are killed with their process group, and a
    # file one writes meanwhile must not fail the test that used the page.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as scratch:
        log = Path(scratch) / "chromium.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [
                    executable,
                    *HEADLESS_FLAGS,
                    "--remote-debugging-pipe",
                    f"--user-data-dir={scratch}/profile",
                    f"--window-size={width},{height}",
                    *flags,
                    "about:blank",
                ],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
                close_fds=False,  # the pipes' other ends are not inheritable (PEP 446)
                # Two dups, no lock another thread could hold (the hazard of preexec_fn).
                preexec_fn=on_fds_3_and_4,
                start_new_session=True,  # its helpers share its process group
            )
        os.close(to_browser[0])
        os.close(from_browser[1])
        connection = Connection(from_browser[0], to_browser[1], log)
        try:
            target = connection.call("Target.createTarget", {"url": "about:blank"})
            attached = connection.call(
                "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
            )
            page = Page(connection, attached["sessionId"])
            page.call("Page.enable")
            page.call("Network.enable")
            page.call(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
            yield page
        finally:
            with contextlib.suppress(OSError, TimeoutError, ConnectionError, ProtocolError):
                connection.call("Browser.close", timeout=5)
            stop(process)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            os.close(from_browser[0])
            os.close(to_browser[1])
