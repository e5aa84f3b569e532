"""requests with a deadline for the whole answer, because a read timeout is per recv().

A server that sends its answer one byte at a time resets a read timeout with every byte and can
hold the caller for as long as it likes. Inside `with deadline(at):`, every read this thread makes
through a `DeadlineAdapter` (status line, headers, each byte of the body) gets only the time left
until `at`, and fails with a timeout once it has passed. Connect and send keep their own
timeouts, which the caller keeps inside the same budget (a GET fits in the socket's buffer).

How: urllib3 builds its connections from `ConnectionCls`, and http.client its responses from
`response_class`; ours reads the socket through `_DeadlineReader`. Nothing else changes, so
keep-alive, pooling and TLS are requests' own.
"""
import http.client
import io
import threading
import time
from contextlib import contextmanager

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()  # the deadline (time.monotonic()) of this thread's exchange, if any


class PastDeadline(TimeoutError):
    """The answer was not complete by the deadline (a TimeoutError, so libraries treat it as one)."""


@contextmanager
def deadline(at: float):
    """Reads through a DeadlineAdapter on this thread end by `at`, a time.monotonic() value."""
    previous = getattr(_current, "at", None)
    _current.at = at
    try:
        yield
    finally:
        _current.at = previous


class _DeadlineReader(io.RawIOBase):
    """The socket's reader, each recv() allowed only the time left before the deadline."""

    def __init__(self, socket_io, sock, at: float):
        self.socket_io, self.sock, self.at = socket_io, sock, at

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        left = self.at - time.monotonic()
        if left <= 0:
            raise PastDeadline("the answer did not arrive within the deadline")
        self.sock.settimeout(left)
        return self.socket_io.readinto(buffer)

    def close(self) -> None:
        if not self.closed:
            self.socket_io.close()  # releases our hold on the socket, as http.client's own file does
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock, *args, **kwargs):
        super().__init__(sock, *args, **kwargs)
        at = getattr(_current, "at", None)
        if at is not None:  # nothing has been read yet: take over the socket reader the base opened
            self.fp = io.BufferedReader(_DeadlineReader(self.fp.detach(), sock, at))


class _HTTPConnection(HTTPConnection):
    response_class = _DeadlineResponse


class _HTTPSConnection(HTTPSConnection):
    response_class = _DeadlineResponse


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections, direct or through a proxy, honour `deadline(...)`."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = POOLS

    def proxy_manager_for(self, *args, **kwargs):
        manager = super().proxy_manager_for(*args, **kwargs)
        manager.pool_classes_by_scheme = POOLS
        return manager
