"""Jinja for templates from others: sandboxed, and bounded in time and memory.

A Word template (or a kind's title) comes from another secretariat, so its Jinja is
untrusted code. Jinja's own sandbox keeps it away from Python's internals; this module
adds the bounds the sandbox lacks:

- operators that can build huge values (``"x" * 3000000000``, ``7 ** 99999999999``,
  list doubling) are intercepted and checked *before* they run; intercepted operators
  are also never folded at compile time, where Jinja would otherwise compute them;
- ``range`` is capped, and so is every number given to a function or filter
  (``"x"|center(3000000000)``);
- every loop step and every call counts against a step budget per rendering, and every
  piece of output against an output budget, so nested loops stop in time; a filter or
  method that sorts, joins, replaces or otherwise walks a value counts by the size it
  touches (SIZE_PER_STEP characters, ITEMS_PER_STEP items), so one step cannot hide
  a pass over four million characters;
- each rendering has a CPU-time budget (DEFAULT_CPU_SECONDS, or the workspace's
  ``graenser: {skabelon_cpu_sekunder: N}``), measured on the rendering thread's own CPU
  clock and checked as steps are counted: the same in a batch worker and in-process;
- on POSIX, the address space is capped while a template renders (``memory_guard``), as
  a backstop for a combination nobody foresaw: Python then raises MemoryError.

Every stop raises TemplateTooCostly with a Danish reason; callers name the file.
"""

from __future__ import annotations

import contextvars
import functools
import re
import threading
import time
from contextlib import contextmanager
from typing import Any

# A real commission with 10 000 members uses about 10 000 steps and 7 million characters.
MAX_STEPS = 250_000  # loop steps and calls in one rendering
CALL_STEPS = 20  # a call (a macro above all) costs about as much as 20 loop steps
MAX_OUTPUT_CHARS = 64 * 1024 * 1024  # characters produced by one rendering
MAX_VALUE_LENGTH = 4 * 1024 * 1024  # one text or list made by an operator, filter or call
MAX_RANGE = 100_000
MAX_NUMBER = 10_000_000  # a number handed to a function or filter (widths, counts)
MAX_INT_BITS = 100_000  # an integer an operator may make
MEMORY_HEADROOM = 1024 * 1024 * 1024  # address space a rendering may add (POSIX)
# A real commission renders in well under a second of CPU; a template that needs more
# than this is looping over something it should not.
DEFAULT_CPU_SECONDS = 5.0
SIZE_PER_STEP = 1024  # characters a filter or method touches, per step
ITEMS_PER_STEP = 16  # items of a list it sorts, joins or walks, per step (a comparison costs more than a copy)
_CHECK_EVERY = 64  # steps between looks at the CPU clock (a look costs about a microsecond)

_FORMAT_WIDTH = re.compile(r"%[-#0 +]*\d{6,}|\{[^{}]*?\d{6,}")


class TemplateTooCostly(RuntimeError):
    """A template that would run too long or grow too large; the text is Danish."""


class _Budget:
    __slots__ = ("steps", "chars", "cpu_seconds", "deadline", "next_look")

    def __init__(self, cpu_seconds: float | None = None) -> None:
        self.steps = 0
        self.chars = 0
        self.cpu_seconds = cpu_seconds if cpu_seconds and cpu_seconds > 0 else DEFAULT_CPU_SECONDS
        self.deadline = time.thread_time() + self.cpu_seconds
        self.next_look = _CHECK_EVERY

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > MAX_STEPS:
            raise TemplateTooCostly(
                f"skabelonen gentager for meget (over {_n(MAX_STEPS)} løkketrin og kald); "
                "er der en løkke i en løkke, der aldrig burde køre så mange gange?"
            )
        if self.steps >= self.next_look:
            self.next_look = self.steps + _CHECK_EVERY
            self.check_time()

    def check_time(self) -> None:
        if time.thread_time() > self.deadline:
            raise TemplateTooCostly(
                f"skabelonen brugte mere end {_seconds(self.cpu_seconds)} CPU-tid og er stoppet; "
                "sorterer, samler eller erstatter den meget tekst i en løkke? "
                "(grænsen sættes i drafter.yaml: graenser: skabelon_cpu_sekunder)"
            )

    def touch(self, value: Any) -> None:
        """A filter or method walked *value*: it costs by its size."""
        if isinstance(value, (str, bytes)):
            self.step(len(value) // SIZE_PER_STEP)
        elif isinstance(value, (list, tuple, dict, set, frozenset)):
            self.step(len(value) // ITEMS_PER_STEP)

    def output(self, count: int) -> None:
        self.chars += count
        if self.chars > MAX_OUTPUT_CHARS:
            raise TemplateTooCostly(
                f"skabelonen skriver for meget (over {MAX_OUTPUT_CHARS // (1024 * 1024)} millioner tegn); "
                "er der en løkke, der gentager for meget tekst?"
            )


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("drafter_template_budget", default=None)


def _current() -> _Budget:
    budget = _budget.get()
    if budget is None:
        budget = _Budget()
        _budget.set(budget)
    return budget


@contextmanager
def fresh_budget(cpu_seconds: float | None = None):
    """One rendering's budget of steps, output and CPU time (None: DEFAULT_CPU_SECONDS)."""
    token = _budget.set(_Budget(cpu_seconds))
    try:
        yield
    finally:
        _budget.reset(token)


def _seconds(seconds: float) -> str:
    """5 sekunders, 1 sekunds, 2,5 sekunders: a CPU-time budget in a Danish sentence."""
    shown = f"{seconds:g}".replace(".", ",")
    return f"{shown} sekunds" if seconds == 1 else f"{shown} sekunders"


def _n(number: int) -> str:
    """12.345.678: a number as a Danish reader writes it."""
    return f"{number:,}".replace(",", ".")


def _too_long(length: int) -> TemplateTooCostly:
    return TemplateTooCostly(
        f"skabelonen laver en tekst eller liste på {_n(length)} tegn eller punkter; "
        f"højst {_n(MAX_VALUE_LENGTH)} er tilladt"
    )


def _check_length(value: Any) -> Any:
    if isinstance(value, (str, bytes, list, tuple, dict, set)) and len(value) > MAX_VALUE_LENGTH:
        raise _too_long(len(value))
    return value


def _check_numbers(args: tuple, kwargs: dict) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            raise TemplateTooCostly(
                f"skabelonen bruger tallet {_short_number(value)}, som er for stort (højst {_n(MAX_NUMBER)})"
            )


def _check_format(text: Any) -> None:
    if isinstance(text, str) and _FORMAT_WIDTH.search(text):
        raise TemplateTooCostly("skabelonen bruger en for stor feltbredde i en formatering")


def _short_number(value: int) -> str:
    bits = value.bit_length()
    return _n(value) if bits < 200 else f"med {_n(int(bits * 0.30103))} cifre"


def _check_replace(text: Any, old: Any, new: Any) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        grows = len(new) - len(old)
        if grows > 0:
            count = len(text) + 1 if not old else text.count(old)
            if len(text) + count * grows > MAX_VALUE_LENGTH:
                raise _too_long(len(text) + count * grows)


def _check_join(seq: Any, sep: Any) -> None:
    if isinstance(sep, str) and hasattr(seq, "__len__") and len(sep) * max(0, len(seq) - 1) > MAX_VALUE_LENGTH:
        raise _too_long(len(sep) * len(seq))


def bounded_range(*args: int) -> range:
    _check_numbers(args, {})
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateTooCostly(
            f"range(...) giver {_n(len(numbers))} tal; højst {_n(MAX_RANGE)} er tilladt i en skabelon"
        )
    return numbers


def counted(iterable: Any, weight: int = 0):
    """Each item of a loop costs a step, and *weight* characters of the loop's own text."""
    budget = _current()
    for item in iterable:
        budget.step()
        if weight:
            budget.output(weight)
        yield item


def _finalize(value: Any) -> Any:
    if isinstance(value, str):
        _current().output(len(value))
    return value


def _guard_filter(name: str, func):
    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget = _current()
        budget.step()
        # Context-passing filters get the context (or environment) first, then the value.
        values = [a for a in args if not hasattr(a, "environment") and not hasattr(a, "autoescape")]
        if values:
            budget.touch(values[0])  # sort, join, replace, unique ...: by the size they walk
        _check_numbers(tuple(values[1:]), kwargs)
        if name == "format" and values:
            _check_format(values[0])
        elif name == "replace" and len(values) >= 3:
            _check_replace(values[0], values[1], values[2])
        elif name == "join" and values:
            _check_join(values[0], values[1] if len(values) > 1 else kwargs.get("d", ""))
        return _check_length(func(*args, **kwargs))

    return guarded


def bounded_environment(autoescape: bool = True):
    """The Jinja environment for every template drafter renders or checks."""
    from jinja2 import StrictUndefined
    from jinja2.runtime import LoopContext
    from jinja2.sandbox import SandboxedEnvironment

    class BoundedEnvironment(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "+", "%", "//"})

        def call_binop(self, context, operator, left, right):
            if operator == "**":
                if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
                    if right * max(1, left.bit_length()) > MAX_INT_BITS:
                        raise TemplateTooCostly("skabelonen regner med et for stort tal (en potens)")
                elif isinstance(right, (int, float)) and abs(right) > MAX_NUMBER:
                    raise TemplateTooCostly("skabelonen regner med et for stort tal (en potens)")
            elif operator == "*":
                for seq, times in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_VALUE_LENGTH:
                        raise _too_long(len(seq) * times)
                if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                    raise TemplateTooCostly("skabelonen regner med et for stort tal")
            elif operator == "+":
                if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
                    if len(left) + len(right) > MAX_VALUE_LENGTH:
                        raise _too_long(len(left) + len(right))
            elif operator == "%" and isinstance(left, str):
                _check_format(left)
                _check_numbers(right if isinstance(right, tuple) else (right,), {})
            result = _check_length(super().call_binop(context, operator, left, right))
            _current().touch(result)  # "x" * n, list + list: by the size they make
            return result

        def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
            budget = _current()
            budget.step(CALL_STEPS)
            _check_numbers(args, kwargs)
            if isinstance(__obj, LoopContext) and args:
                # loop(children) in a recursive loop: its items cost steps too.
                args = (counted(args[0]), *args[1:])
            # The sandbox hands out str.format wrapped; the wrapper keeps the method.
            target = getattr(__obj, "__wrapped__", __obj)
            owner = getattr(target, "__self__", None)
            name = getattr(target, "__name__", "")
            budget.touch(owner)  # "...".replace(), list.sort(), list.index(): by the size they walk
            for arg in args:
                budget.touch(arg)
            if isinstance(owner, str):
                if name == "replace" and len(args) >= 2:
                    _check_replace(owner, args[0], args[1])
                elif name == "join" and args:
                    _check_join(args[0], owner)
                elif name in ("format", "format_map"):
                    _check_format(owner)
            result = super().call(__context, __obj, *args, **kwargs)
            if isinstance(owner, (list, dict, set)):
                _check_length(owner)  # append/extend/update in a loop
            if isinstance(result, str):
                budget.output(len(result))
            return _check_length(result)

    env = BoundedEnvironment(
        autoescape=autoescape, undefined=StrictUndefined, keep_trailing_newline=True, finalize=_finalize
    )
    env.globals["range"] = bounded_range
    env.filters = {name: _guard_filter(name, func) for name, func in env.filters.items()}
    env.filters["drafter_steps"] = counted
    return env


def bound_loops(tree) -> None:
    """Make every loop of a parsed template count its steps (see ``counted``)."""
    from jinja2 import nodes

    for loop in tree.find_all(nodes.For):
        weight = sum(len(data.data) for data in _own_data(loop))
        loop.iter = nodes.Filter(loop.iter, "drafter_steps", [nodes.Const(weight)], [], None, None, lineno=loop.lineno)


def _own_data(loop):
    """The template text inside *loop* itself (nested loops count their own)."""
    from jinja2 import nodes

    stack = list(loop.body)
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.TemplateData):
            yield node
        elif not isinstance(node, nodes.For):
            stack.extend(node.iter_child_nodes())


def parse_bounded(env, source: str):
    """The syntax tree of a template source; TemplateTooCostly for absurd nesting.

    Jinja's parser and Python's compiler recurse once per level of brackets.
    """
    try:
        return env.parse(source)
    except (RecursionError, MemoryError):
        raise TemplateTooCostly("skabelonen er for dybt indlejret (for mange parenteser eller blokke i hinanden)") from None


def compile_bounded(env, source: str):
    """(parsed tree, compiled code) of a template source, loops bounded."""
    tree = parse_bounded(env, source)
    bounded = parse_bounded(env, source)
    bound_loops(bounded)
    try:
        return tree, env.compile(bounded)
    except (RecursionError, MemoryError, SyntaxError):
        raise TemplateTooCostly("skabelonen er for dybt indlejret (for mange parenteser eller blokke i hinanden)") from None


# -- the memory backstop -----------------------------------------------------------------

_guard_lock = threading.Lock()
_guard_depth = 0
_saved_limit: tuple[int, int] | None = None


@contextmanager
def memory_guard():
    """Cap the address space while a template renders (POSIX; elsewhere nothing happens).

    The cap is the space in use now plus MEMORY_HEADROOM, never above a cap already set.
    Nested and concurrent uses share one cap; the last one out restores the old limit.
    """
    global _guard_depth, _saved_limit
    with _guard_lock:
        if _guard_depth == 0:
            _saved_limit = _lower_limit()
        _guard_depth += 1
    try:
        yield
    finally:
        with _guard_lock:
            _guard_depth -= 1
            if _guard_depth == 0 and _saved_limit is not None:
                _restore_limit(_saved_limit)
                _saved_limit = None


def _lower_limit() -> tuple[int, int] | None:
    try:
        import resource

        with open("/proc/self/statm", "rb") as handle:
            pages = int(handle.read().split()[0])
        in_use = pages * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = in_use + MEMORY_HEADROOM
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        if soft != resource.RLIM_INFINITY and soft <= wanted:
            return None
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
        return soft, hard
    except (ImportError, OSError, ValueError):
        return None


def _restore_limit(limit: tuple[int, int]) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, limit)
    except (ImportError, OSError, ValueError):
        pass
