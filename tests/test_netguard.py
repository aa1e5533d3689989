"""The network guard itself: lookups and connections off loopback fail and are reported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NETGUARD = Path(__file__).resolve().parent / "netguard"

PROBE = """
import socket
for target in [("192.0.2.1", 80), ("example.invalid", 80)]:
    try:
        socket.create_connection(target, timeout=1)
    except OSError as exc:
        print("refused:", exc)
server = socket.create_server(("127.0.0.1", 0))
client = socket.create_connection(server.getsockname(), timeout=1)
print("loopback ok")
client.close()
server.close()
"""


def test_guard_refuses_and_reports_non_loopback(tmp_path: Path) -> None:
    log = tmp_path / "guard.log"
    env = dict(os.environ, NETGUARD_LOG=str(log), PYTHONPATH=str(NETGUARD))
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("refused: netguard:") == 2
    assert "loopback ok" in result.stdout
    lines = log.read_text().splitlines()
    assert len(lines) == 2
    assert "192.0.2.1" in lines[0] and "example.invalid" in lines[1]
