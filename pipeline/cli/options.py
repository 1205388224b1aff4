"""What several commands parse the same way: moments, stores, listening addresses, and the
one-line refusal every command uses for an error the operator can fix."""

from __future__ import annotations

import errno
import functools
import ipaddress
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, Any, ParamSpec, TypeVar

import click

from pipeline.cli.exits import EXIT_USAGE
from pipeline.runtime.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")


class OperatorError(click.ClickException):
    """Something the operator can fix (an unknown store, a window upside down, a port in
    use): one line on stderr, `bcrm: <message>`, and exit 2."""

    exit_code = EXIT_USAGE

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"bcrm: {self.format_message()}", err=True, file=file)


def parse_moment(text: str) -> datetime:
    """An ISO date or datetime; naive means UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise OperatorError(f"{text!r} is not an ISO 8601 date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_window(since: str, until: str | None) -> tuple[datetime, datetime]:
    """`--since` and `--until` (default: now), refused when the window ends before it
    starts."""
    lower = parse_moment(since)
    upper = parse_moment(until) if until else datetime.now(UTC)
    check_order(lower, upper)
    return lower, upper


def check_order(lower: Any, upper: Any) -> None:
    """Refuse `--until` before `--since` (dates or datetimes, compared as given)."""
    if lower is not None and upper is not None and upper < lower:
        raise OperatorError(
            f"--until ({upper.isoformat()}) is before --since ({lower.isoformat()})"
        )


def unknown_store(store_hash: str) -> OperatorError:
    """The one refusal of a store we hold no credentials for, wherever it is named."""
    return OperatorError(f"store {store_hash} is not in BCRM_BIGCOMMERCE_STORES")


def configured_stores(config: Settings, store_hash: str | None) -> list[str]:
    """The one store asked for, else every configured one; refuse a store we hold no
    credentials for."""
    stores = [store_hash] if store_hash else sorted(config.store_tokens)
    if not stores:
        raise OperatorError("no stores configured: set BCRM_BIGCOMMERCE_STORES")
    unknown = [s for s in stores if s not in config.store_tokens]
    if unknown:
        raise unknown_store(unknown[0])
    return stores


def is_loopback(address: str) -> bool:
    """Whether only this host can reach `address`; our servers bind elsewhere only when
    told to explicitly (Flower, `bcrm metrics serve`)."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


# Errors of bind() an operator fixes with another --host or --port.
_LISTEN_ERRNOS = frozenset({errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES})


def _listen_problem(exc: BaseException) -> str | None:
    """Why a server could not listen, in words, or None if `exc` is about something else."""
    if isinstance(exc, OverflowError) and "port" in str(exc):
        return "the port must be 0-65535"
    if isinstance(exc, socket.gaierror):
        return f"unknown address ({exc.strerror})"
    if isinstance(exc, OSError) and exc.errno in _LISTEN_ERRNOS:
        return os.strerror(exc.errno).lower()
    return None


def cannot_listen(host: str, port: object, exc: BaseException) -> OperatorError | None:
    """The one-line refusal for a failed bind, or None when `exc` is not one."""
    problem = _listen_problem(exc)
    return None if problem is None else OperatorError(f"cannot listen on {host}:{port}: {problem}")


def check_can_listen(host: str, port: int) -> None:
    """Bind `host:port` once and let go, for servers that would report a failed bind as a
    traceback after printing their banner (Flower)."""
    if not 0 <= port <= 65535:
        raise OperatorError(f"cannot listen on {host}:{port}: the port must be 0-65535")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except (OSError, OverflowError) as exc:
        refusal = cannot_listen(host, port, exc)
        if refusal is None:
            raise
        raise refusal from None


def listening(fn: Callable[P, R]) -> Callable[P, R]:
    """A command that serves on `--host`/`--address` and `--port`: a port in use, out of
    range or an address this host does not have is one line and exit 2."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        host = str(kwargs.get("host") or kwargs.get("address") or "127.0.0.1")
        port = kwargs.get("port")
        if isinstance(port, int) and not 0 <= port <= 65535:
            raise OperatorError(f"cannot listen on {host}:{port}: the port must be 0-65535")
        try:
            return fn(*args, **kwargs)
        except (OSError, OverflowError) as exc:
            refusal = cannot_listen(host, port, exc)
            if refusal is None:
                raise
            raise refusal from None

    return wrapper
