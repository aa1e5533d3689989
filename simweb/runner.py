"""Start the simulated web in a subprocess and talk to its control endpoints."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Any

READY_PREFIX = "SIMWEB proxy="
_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)


class SimWebError(RuntimeError):
    """The simulated web did not start or did not answer."""


class SimWeb:
    """A running `python -m simweb` subprocess and its request log."""

    def __init__(
        self,
        process: subprocess.Popen[str],
        proxy_url: str,
        reader: threading.Thread | None = None,
    ) -> None:
        self.process = process
        self._reader = reader
        self.proxy_url = proxy_url
        self.port = int(proxy_url.rsplit(":", 1)[1])
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _call(self, method: str, endpoint: str) -> Any:
        """Call a control endpoint on the proxy itself (never through any proxy)."""
        request = urllib.request.Request(
            f"{self.proxy_url}/__simweb/{endpoint}",
            method=method,
            data=b"" if method == "POST" else None,
        )
        with self._opener.open(request, timeout=10) as response:
            return json.loads(response.read())

    def requests(self) -> list[dict[str, Any]]:
        """Every request the proxy has seen since the last reset, oldest first."""
        entries: list[dict[str, Any]] = self._call("GET", "log")
        return entries

    def count(self, host: str, path: str | None = None, method: str | None = None) -> int:
        """How many requests went to `host` (and `path`, `method`); CONNECTs only if asked."""
        total = 0
        for entry in self.requests():
            if entry["host"] != host.lower():
                continue
            if method is None and entry["method"] == "CONNECT":
                continue
            if method is not None and entry["method"] != method.upper():
                continue
            if path is not None and entry["path"] != path:
                continue
            total += 1
        return total

    def reset(self) -> int:
        """Clear the request log; return how many entries were dropped."""
        result: dict[str, int] = self._call("POST", "reset")
        return result["cleared"]

    def set_state(self, name: str) -> None:
        """Switch the simulated web to a named state (simweb/states.py), e.g. "incremental"."""
        self._call("POST", f"state?name={urllib.parse.quote(name)}")

    def proxy_env(self) -> dict[str, str]:
        """Environment variables that route HTTP and HTTPS through this proxy."""
        return {
            "http_proxy": self.proxy_url,
            "https_proxy": self.proxy_url,
            "HTTP_PROXY": self.proxy_url,
            "HTTPS_PROXY": self.proxy_url,
            "no_proxy": "",
            "NO_PROXY": "",
        }

    def stop(self, timeout: float = 10) -> int:
        """Terminate the proxy (SIGTERM), wait for it and return its exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self._reader is not None:
            self._reader.join(timeout)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode

    def __enter__(self) -> SimWeb:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_simweb(
    port: int = 0,
    timeout: float = 20,
    *,
    host: str = "127.0.0.1",
    log_level: str = "WARNING",
) -> SimWeb:
    """Launch `python -m simweb` and return once it prints its ready line."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PROJECT_ROOT, env.get("PYTHONPATH")]))
    process = subprocess.Popen(
        [sys.executable, "-m", "simweb", "--host", host, "--port", str(port)]
        + ["--log-level", log_level],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        line = ""
    if not line.startswith(READY_PREFIX):
        SimWeb(process, "http://0:0", reader).stop()
        raise SimWebError(
            f"simweb did not start within {timeout}s (first line {line!r}); see its stderr"
        )
    return SimWeb(process, line[len(READY_PREFIX) :].strip(), reader)


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    """Forward the subprocess's stdout lines to a queue until it closes."""
    try:
        for line in stream:
            lines.put(line)
    except ValueError:  # the stream was closed by stop()
        pass
    lines.put("")
