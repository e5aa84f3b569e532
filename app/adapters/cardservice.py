"""The HMS card service, behind one small interface: `CardService.lookup(ref) -> CardCheck`.

The real service's API is granted on application and its schema is not public, so the transport
is a `CardServiceBackend` chosen by configuration. `HttpCardServiceBackend` speaks the emulator's
JSON (cardsim/); a production adapter for the official API is one new backend class added to
`BACKENDS`. Everything that makes a gate dependable whatever the backend (the time budget, one
retry, the circuit breaker, caching, one call per card at a time, a bound on calls in flight,
logging) is in `GuardedCardService`, which every backend gets.
"""
import hashlib
import hmac
import json
import logging
import os
import random
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote

import requests
from flask import current_app
from pydantic import ValidationError

from app.adapters.card_answer import CardAnswer
from app.adapters.http_deadline import DeadlineAdapter, deadline
from app.adapters.resilience import CircuitBreaker, Flight, TTLCache
from app.clock import utcnow
from app.config import ConfigError, default
from app.domain.cards import CardCheck, CardRef, CardStatus, LookupOutcome
from app.ops.metrics import observe_card_lookup

log = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 64 * 1024
SLOT_WAIT_FLOOR_S = 0.05  # waiting for a busy slot: at least this, however fast the service was


class CardServiceUnavailable(Exception):
    """The service gave no answer we can trust; `kind` says why, for the log."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class ConnectionFailed(CardServiceUnavailable):
    """No connection was made: the only failure worth one quick retry."""


class CardService(ABC):
    """What the app needs from the card service."""

    @abstractmethod
    def lookup(self, ref: CardRef) -> CardCheck:
        """The card's status now. Never raises: trouble is LookupOutcome.UNAVAILABLE."""

    def is_unreachable(self) -> bool:
        """Whether the last lookup that asked the service failed; from memory, never a call."""
        return False

    def cached(self, ref: CardRef) -> CardCheck | None:
        """The answer lookup() would give from memory, without calling the service; None if none."""
        return None


class CardServiceBackend(ABC):
    """One call to one card service, no cleverness: that lives in GuardedCardService."""

    @abstractmethod
    def fetch(self, ref: CardRef, timeout_s: float) -> CardCheck:
        """Ask once, within timeout_s. Return FOUND or UNKNOWN_CARD; raise CardServiceUnavailable
        (ConnectionFailed when no connection was made) for anything else, malformed answers included."""


# --- the emulator's HTTP API ------------------------------------------------------------------


class HttpCardServiceBackend(CardServiceBackend):
    """GET /v1/cards/<number> and /v1/qr/<token> with a bearer token (the emulator's API)."""

    def __init__(self, base_url: str, token: str, connect_timeout_s: float = 0.5, pool_size: int = 8):
        self.base_url = base_url.rstrip("/")
        self.connect_timeout_s = connect_timeout_s
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        # requests' transport (connection pool, TLS, proxies) without its Session: a Session merges
        # the environment, cookies and hooks into every call, and reads cookies back out of every
        # answer, which cost a cold scan more CPU than the call itself (bench/README.md, "Morning
        # rush"). None of it is wanted: the token is the authorization, and what the environment says
        # (proxy variables, a CA bundle) is read once, here.
        self.adapter = DeadlineAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
        self.proxies = requests.utils.get_environ_proxies(self.base_url)
        self.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True

    def fetch(self, ref: CardRef, timeout_s: float) -> CardCheck:
        path = "cards" if ref.kind == "card_number" else "qr"
        request = requests.Request("GET", f"{self.base_url}/v1/{path}/{quote(ref.value, safe='')}",
                                   headers=self.headers).prepare()
        # Connect and read share the budget, so a slow connect cannot stretch the total past it.
        connect = min(self.connect_timeout_s, timeout_s / 4)
        ends_at = time.monotonic() + timeout_s
        try:
            # The read timeout is per recv(): a service trickling its answer a byte at a time would
            # reset it with every byte. `deadline` ends every read, headers and body, at the budget.
            # The adapter follows no redirect.
            with deadline(ends_at), self.adapter.send(request, stream=True, timeout=(connect, timeout_s - connect),
                                                      verify=self.verify, proxies=self.proxies) as response:
                status, body = response.status_code, _read_body(response)
        except (requests.RequestException, OSError) as error:
            raise _failure(error, past_deadline=time.monotonic() >= ends_at) from None
        return self._answer(status, body, ref)

    def _answer(self, status: int, body: bytes, ref: CardRef) -> CardCheck:
        if status == 404 and _json_or_none(body) == {"error": "unknown_card"}:
            return CardCheck(LookupOutcome.UNKNOWN_CARD, checked_at=utcnow())
        if status != 200:
            raise CardServiceUnavailable(f"http_{status}")
        return card_check_from_answer(_json_or_none(body), ref, utcnow())


def _read_body(response: requests.Response) -> bytes:
    """The whole body, but never more than MAX_ANSWER_BYTES of it (a larger one is malformed)."""
    body = bytearray()
    for chunk in response.iter_content(chunk_size=16 * 1024):
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise CardServiceUnavailable("malformed")
    return bytes(body)


def _failure(error: Exception, past_deadline: bool) -> CardServiceUnavailable:
    """What a requests error means for the guard. requests reports a body read that ran out of
    time as a ConnectionError, so the clock decides first: an answer cut at the budget is
    "over_budget", never a failed connection (which the guard would retry)."""
    if past_deadline:
        return CardServiceUnavailable("over_budget")
    if isinstance(error, requests.ConnectionError):  # includes ConnectTimeout
        return ConnectionFailed("connection")
    if isinstance(error, requests.Timeout):
        return CardServiceUnavailable("timeout")
    return CardServiceUnavailable("request_failed")


def _json_or_none(body: bytes):
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError:  # also UnicodeDecodeError
        return None


def card_check_from_answer(answer, ref: CardRef, checked_at: datetime) -> CardCheck:
    """Read the service's JSON strictly (card_answer.CardAnswer): anything unexpected is "unavailable",
    never valid."""
    try:
        card = CardAnswer.model_validate(answer)
    except ValidationError:
        raise CardServiceUnavailable("malformed") from None
    if ref.kind == "card_number" and card.card_number != ref.value:
        raise CardServiceUnavailable("malformed")  # an answer about another card
    holder, employer = card.holder, card.employer
    return CardCheck(
        LookupOutcome.FOUND, checked_at=checked_at, card_number=card.card_number, card_type=card.card_type,
        status=card.status, status_reason=card.status_reason, issued_on=card.issued_on, valid_to=card.valid_to,
        first_name=holder.first_name, last_name=holder.last_name, birth_date=holder.birth_date,
        employer_name=employer.name, employer_org_number=employer.org_number,
    )


# --- what every backend gets ------------------------------------------------------------------


@dataclass(frozen=True)
class GuardSettings:
    """The guard's settings (bounds checked by app/config.Settings at start)."""

    budget_s: float = default("CARD_SERVICE_BUDGET_S")  # the whole lookup, retry and waiting included
    valid_ttl_s: float = default("CARD_SERVICE_CACHE_VALID_S")  # "valid" answers: the status is dynamic
    negative_ttl_s: float = default("CARD_SERVICE_CACHE_NEGATIVE_S")  # unknown cards, every status but valid
    breaker_failures: int = default("CARD_SERVICE_BREAKER_FAILURES")
    breaker_open_s: float = default("CARD_SERVICE_BREAKER_OPEN_S")
    retry_jitter_s: tuple[float, float] = (0.05, 0.2)
    # A bulkhead: calls in flight per process. Below gunicorn's threads per worker, a slow service
    # can never hold every thread: the others keep serving pages, /healthz and cached scans.
    # gunicorn.conf.py sets it from the worker's threads (most of them: the morning rush is
    # lookups); outside gunicorn it stays 1. A lookup that finds every slot taken waits about as
    # long as a healthy answer takes (twice the last good call, at least SLOT_WAIT_FLOOR_S, at most
    # slot_wait_s), so two gates asking a healthy service at once both get their answer, while
    # behind a trickling one nobody queues.
    max_concurrent: int = default("CARD_SERVICE_MAX_CONCURRENT")
    slot_wait_s: float = default("CARD_SERVICE_SLOT_WAIT_S")


class GuardedCardService(CardService):
    """A backend made dependable: budget, one retry, breaker, cache, single-flight, bulkhead, a log line."""

    def __init__(self, backend: CardServiceBackend, settings: GuardSettings = GuardSettings(), *,
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], datetime] = utcnow,
                 sleep: Callable[[float], None] = time.sleep, log_key: bytes | None = None):
        self.backend, self.settings = backend, settings
        self.clock, self.wall_clock, self.sleep = clock, wall_clock, sleep
        self.breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_open_s, clock)
        self._log_key = log_key or os.urandom(16)
        self._lock = threading.Lock()
        self._cache = TTLCache(clock)
        self._flights: dict[tuple, Flight] = {}
        self._slots = threading.BoundedSemaphore(settings.max_concurrent)
        self._good_call_s = 0.0  # how long the last successful call took

    def lookup(self, ref: CardRef) -> CardCheck:
        key = (ref.kind, ref.value)
        with self._lock:
            cached = self._cache.get(key)
            flight = None if cached else self._flights.get(key)
            leader = cached is None and flight is None
            if leader:
                flight = self._flights[key] = Flight()
        if cached is not None:
            # Most scans at a busy gate end here: a debug line, so the log keeps the real calls.
            self._log(ref, cached, "cache", 0.0, level=logging.DEBUG)
            return replace(cached, from_cache=True, latency_ms=0.0)
        if not leader:
            return self._wait_for(flight, ref)
        check = None
        try:
            check = self._call(ref)
        except Exception as error:  # a bug in a backend must not leave followers waiting or reach the gate
            # The type only: a message or traceback could carry the URL, and so the card number.
            log.error("card lookup failed unexpectedly: %s", type(error).__name__)
            check = self._unavailable(0.0)
        finally:
            self._finish(key, flight, check)
        return check

    def cached(self, ref: CardRef) -> CardCheck | None:
        with self._lock:
            check = self._cache.get((ref.kind, ref.value))
        if check is None:
            return None
        self._log(ref, check, "cache", 0.0, level=logging.DEBUG)
        return replace(check, from_cache=True, latency_ms=0.0)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def is_unreachable(self) -> bool:
        """This process's view (each worker learns of an outage at its first failed lookup): cheap
        enough for every page view."""
        return self.breaker.failing

    def _wait_for(self, flight: Flight, ref: CardRef) -> CardCheck:
        """Another thread is asking about this card: share its answer instead of calling again."""
        started = self.clock()
        if flight.done.wait(self.settings.budget_s) and flight.result is not None:
            self._log(ref, flight.result, "shared", 0.0)
            return replace(flight.result, from_cache=True)
        check = self._unavailable((self.clock() - started) * 1000)
        self._log(ref, check, "shared_timeout", check.latency_ms)
        return check

    def _finish(self, key, flight: Flight, check: CardCheck | None) -> None:
        with self._lock:
            if check is not None:
                self._remember(key, check)
            self._flights.pop(key, None)
        flight.result = check
        flight.done.set()

    def _remember(self, key, check: CardCheck) -> None:
        if check.outcome is LookupOutcome.UNAVAILABLE:
            return  # the breaker, not the cache, deals with outages
        ttl = self.settings.valid_ttl_s if check.status is CardStatus.VALID else self.settings.negative_ttl_s
        self._cache.put(key, check, ttl)
        if check.card_number and key[0] == "qr_token":
            self._cache.put(("card_number", check.card_number), check, ttl)

    def _call(self, ref: CardRef) -> CardCheck:
        started = self.clock()
        if not self.breaker.allow():
            return self._refused(ref, "breaker_open", started)
        if not self._slots.acquire(timeout=self._slot_wait_s()):
            # Every slot is held (by a slow service, or a burst): answer from the outage policy now
            # rather than queue threads behind it. Our own limit, so not a failure of the service.
            self.breaker.cancel_trial()
            return self._refused(ref, "busy", started, "no_slot")
        try:
            calling = self.clock()
            check, attempts, failure = self._attempts(ref, started + self.settings.budget_s)
            call_s = self.clock() - calling
        finally:
            self._slots.release()
        latency_ms = (self.clock() - started) * 1000
        if not failure and latency_ms > self.settings.budget_s * 1000:
            # A backend that overran its timeout: the gate waited past its promise, and a service
            # this slow must open the breaker like any other failure, not count as a success.
            failure = "over_budget"
        if failure:
            if self.breaker.record_failure():
                log.warning("card service failing (%s): answering from the outage policy for %.0f s",
                            failure, self.settings.breaker_open_s)
            check = self._unavailable(latency_ms)
        else:
            self.breaker.record_success()
            self._good_call_s = call_s
            check = replace(check, checked_at=self.wall_clock(), latency_ms=latency_ms, from_cache=False)
        self._log(ref, check, "service", latency_ms, attempts, failure)
        return check

    def _refused(self, ref: CardRef, source: str, started: float, failure: str = "") -> CardCheck:
        """No call made (breaker open, or no slot): unavailable at once, and not the service's failure."""
        check = self._unavailable((self.clock() - started) * 1000)
        self._log(ref, check, source, check.latency_ms, failure=failure)
        return check

    def _slot_wait_s(self) -> float:
        return min(self.settings.slot_wait_s, self.settings.budget_s, max(SLOT_WAIT_FLOOR_S, 2 * self._good_call_s))

    def _attempts(self, ref: CardRef, deadline: float) -> tuple[CardCheck | None, int, str]:
        """At most two tries, the second only after a failed connection and only within the budget."""
        for attempt in (1, 2):
            try:
                return self.backend.fetch(ref, deadline - self.clock()), attempt, ""
            except ConnectionFailed as error:
                pause = random.uniform(*self.settings.retry_jitter_s)
                # Retry only if a second try still has a fair share of the budget left.
                if attempt == 2 or deadline - self.clock() - pause < self.settings.budget_s / 4:
                    return None, attempt, error.kind
                self.sleep(pause)
            except CardServiceUnavailable as error:
                return None, attempt, error.kind
        raise AssertionError("unreachable")

    def _unavailable(self, latency_ms: float) -> CardCheck:
        return CardCheck(LookupOutcome.UNAVAILABLE, checked_at=self.wall_clock(), latency_ms=latency_ms)

    def _log(self, ref: CardRef, check: CardCheck, source: str, latency_ms: float,
             attempts: int = 0, failure: str = "", level: int = logging.INFO) -> None:
        """One line per lookup, with no personal data: the card appears only as a keyed hash."""
        observe_card_lookup(check.outcome.value, source, latency_ms / 1000, self.breaker.state)  # /metrics
        if not log.isEnabledFor(level):
            return
        digest = hmac.new(self._log_key, ref.value.encode(), hashlib.sha256).hexdigest()[:10]
        log.log(level, "card lookup ref=%s:%s outcome=%s status=%s source=%s latency_ms=%.0f attempts=%d%s",
                 ref.kind, digest, check.outcome.value, check.status.value if check.status else "-",
                 source, latency_ms, attempts, f" failure={failure}" if failure else "")


# --- configuration ----------------------------------------------------------------------------


def _http_backend(config) -> CardServiceBackend:
    # A kept-alive connection for each call the bulkhead lets through at once: past the pool's
    # size, urllib3 opens a new connection per call and throws it away with a warning.
    return HttpCardServiceBackend(config["CARD_SERVICE_URL"], config["CARD_SERVICE_TOKEN"],
                                  connect_timeout_s=config["CARD_SERVICE_CONNECT_TIMEOUT_S"],
                                  pool_size=int(config["CARD_SERVICE_MAX_CONCURRENT"]))


# A production adapter for the official API: one backend class, one line here, CARD_SERVICE_KIND.
BACKENDS: dict[str, Callable[[dict], CardServiceBackend]] = {"http": _http_backend}


def guard_settings_from_config(config) -> GuardSettings:
    return GuardSettings(
        budget_s=config["CARD_SERVICE_BUDGET_S"],
        valid_ttl_s=config["CARD_SERVICE_CACHE_VALID_S"],
        negative_ttl_s=config["CARD_SERVICE_CACHE_NEGATIVE_S"],
        breaker_failures=config["CARD_SERVICE_BREAKER_FAILURES"],
        breaker_open_s=config["CARD_SERVICE_BREAKER_OPEN_S"],
        max_concurrent=config["CARD_SERVICE_MAX_CONCURRENT"],
        slot_wait_s=config["CARD_SERVICE_SLOT_WAIT_S"],
    )


def card_service_from_config(config) -> CardService:
    """The configured card service, guarded. Raises ConfigError for a backend it does not know."""
    kind = config["CARD_SERVICE_KIND"]
    if kind not in BACKENDS:
        raise ConfigError(f"CARD_SERVICE_KIND={kind!r}: må være én av / must be one of {', '.join(BACKENDS)}")
    # Log correlation without personal data: the same card gives the same hash in every worker.
    log_key = hashlib.sha256(b"card-log:" + config["SECRET_KEY"].encode()).digest()
    return GuardedCardService(BACKENDS[kind](config), guard_settings_from_config(config), log_key=log_key)


def get_card_service() -> CardService:
    """The current app's card service (set up by create_app)."""
    return current_app.extensions["card_service"]
