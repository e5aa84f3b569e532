"""Use cases: load rows, build plain data, call the domain, persist.

One owner of the transaction. A use case is a public function that views, CLI commands, the API
or a background duty call to change something; it is ONE unit of work, marked `@use_case`: it
commits when it returns and rolls back when it raises, a refusal (SiteRefused, LinkError, ...)
as much as a failure. Everything else only adds and flushes: private helpers, read functions,
models, views and CLI commands never call `db.session.commit()` or `rollback()`; that happens in
`unit_of_work()` below and nowhere else (tests/unit/test_transactions.py keeps it so).

Why: a refusal raised after the use case has written something (a byggherre made before the
site is refused, a company completed before "already on the site") must not leave that half
behind for whoever commits next, and a view must not have to remember to roll back. The one
who knows that the work is whole is the use case, so it commits; nobody else needs to know.

- A use case called by another joins the caller's transaction: only the outermost commits or
  rolls back. Don't catch another use case's refusal and carry on; let it end the whole.
- A step that must be durable on its own, whatever happens after it (a connector delivery
  claimed before sending, a mail marked sent, a kiosk's last-seen time written before the
  scan), runs inside `with unit_of_work():` in that step; its docstring says why.
- A use case that retries or that tolerates a lost race runs each attempt in
  `with unit_of_work():` and catches the error outside it: the attempt is rolled back first.
"""
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from app.extensions import db

_DEPTH = "portvakt.unit_of_work_depth"
P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit the session when the block ends, roll it back when it raises; inside another unit
    of work, do neither (the outermost one decides)."""
    session = db.session
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth


def use_case(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` as one unit of work: committed when it returns, rolled back when it raises."""
    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return function(*args, **kwargs)
    return run
