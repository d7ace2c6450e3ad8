"""Time every ERP call and count its failures by operation, around any connector."""

import functools
import inspect
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar, cast

from connectors.erp.base import ErpBooks, ErpConnector
from connectors.erp.errors import ErpError, ErpUnavailable
from observability.metrics import ERP_CALL_ERRORS, ERP_CALL_SECONDS

ErpT = TypeVar("ErpT", ErpConnector, ErpBooks)
_NOT_CALLS = {"aclose"}


def error_class(error: BaseException) -> str:
    """A bounded name for what went wrong: the ERP was away, it refused, or anything else."""
    if isinstance(error, ErpUnavailable | TimeoutError | ConnectionError):
        return "unavailable"
    if isinstance(error, ErpError):
        return "refused"
    return "unexpected"


class _Metered:
    """Delegates to the connector; its coroutine methods are timed and their errors counted."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name in _NOT_CALLS or not inspect.iscoroutinefunction(attribute):
            return attribute
        return _timed(name, attribute)


def _timed(
    operation: str, call: Callable[..., Coroutine[Any, Any, Any]]
) -> Callable[..., Coroutine[Any, Any, Any]]:
    seconds = ERP_CALL_SECONDS.labels(operation)

    @functools.wraps(call)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await call(*args, **kwargs)
        except Exception as error:
            ERP_CALL_ERRORS.labels(operation, error_class(error)).inc()
            raise
        finally:
            seconds.observe(time.perf_counter() - started)

    return timed


def metered(erp: ErpT) -> ErpT:
    """``erp`` with its calls measured (tillsync_erp_call_seconds, tillsync_erp_call_errors)."""
    return cast(ErpT, _Metered(erp))
