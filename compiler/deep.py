"""Room for deep models: libcst's tree walks recurse once per level of nesting.

An `elif` chain of 1,000 branches is 1,000 nested `If` nodes in libcst (and in
agc's IR), and libcst's own parser, metadata and code generation walk them
recursively. agc's walks are iterative where it matters; for libcst's,
`with_room` retries a call that ran out of recursion in a thread with a large
stack and a high recursion limit, so any nesting Python itself accepts compiles.

`with_room` also pauses the cyclic garbage collector: a compile builds millions of small
objects that live until it ends, and the collector's full passes over them grow with the
model (a fifth of a 5,000-statement compile). What cycles it leaves are collected by the
next pass after it.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
import threading

STACK_BYTES = 512 * 1024 * 1024  # virtual memory, touched only as deep as the walk goes
RECURSION_LIMIT = 200_000
_lock = threading.Lock()  # the recursion limit is one per process: one deep call at a time
_gc_lock = threading.Lock()
_gc_pauses = 0  # compiles running with the collector paused (threads may compile at once)
_gc_was_enabled = False


def with_room(fn, *args, **kwargs):
    """`fn(*args, **kwargs)`; if it runs out of recursion, once more with room to recurse.
    The garbage collector is paused meanwhile."""
    with paused_gc():
        try:
            return fn(*args, **kwargs)
        except RecursionError:
            pass
        with _lock:
            return _in_deep_thread(fn, args, kwargs)


@contextlib.contextmanager
def paused_gc():
    """The cyclic garbage collector off inside, back as it was when the last pause ends."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def in_deep_thread(fn, args=(), kwargs=None, seconds: float | None = None,
                   error: type[BaseException] = TimeoutError):
    """`fn(*args, **kwargs)` with room to recurse; past `seconds`, `error` is raised inside it.

    The exception is delivered to the worker thread between two bytecodes
    (PyThreadState_SetAsyncExc): it ends pure-Python work such as sympy's,
    which a signal cannot reach outside the main thread.
    """
    with _lock:
        return _in_deep_thread(fn, args, kwargs or {}, seconds, error)


def _in_deep_thread(fn, args, kwargs, seconds=None, error=TimeoutError):
    outcome: dict[str, object] = {}

    def run():
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as err:  # noqa: BLE001 - handed back to the calling thread
            outcome["error"] = err

    old_stack, old_limit = threading.stack_size(STACK_BYTES), sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
    try:
        worker = threading.Thread(target=run, name="agc-deep")
        worker.start()
        worker.join(seconds)
        if worker.is_alive():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident),
                                                       ctypes.py_object(error))
            worker.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    if "value" not in outcome:  # the late exception ended the thread outside `fn`
        raise error()
    return outcome["value"]
