"""Network guard for test subprocesses: any connection or lookup off loopback is refused and logged.

Put this folder on PYTHONPATH and set NETGUARD_LOG to a file: every attempt to reach an
address outside 127.0.0.0/8 or ::1 (or to resolve a name other than localhost) is
appended to that file and fails with OSError, in this process and in its children.
"""

from __future__ import annotations

import ipaddress
import os
import sys

_LOG = os.environ.get("NETGUARD_LOG")
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return True  # not an IP address family we police
    if host.lower() in _LOCAL_NAMES or host == "":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _hook(event: str, args: tuple[object, ...]) -> None:
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and address and not _is_loopback(address[0]):
            _refuse(f"connect {address!r}")
    elif event == "socket.getaddrinfo":
        if not _is_loopback(args[0]):
            _refuse(f"getaddrinfo {args[0]!r}")


def _refuse(what: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {what}\n")
    raise OSError(f"netguard: {what} is outside loopback")


if _LOG:
    sys.addaudithook(_hook)
