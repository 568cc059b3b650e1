"""Plain data classes, declared without the dataclasses module.

The data classes a `drafter check` or `render` makes on its way (problems, kinds, answers,
rules, the profile) were dataclasses: importing `dataclasses` imports `inspect` (5-9 ms)
and every ``@dataclass`` compiles its generated methods when the module is imported
(0.3-0.5 ms a class), a fifth of a fresh check's own time. A class here names its fields in
``__slots__``, in the order of its ``__init__``'s parameters, and writes that ``__init__``
out. :class:`Plain` gives it what the dataclass gave: equality field by field (with an
instance of the same class only) and a repr that names the fields; a plain instance is not
hashable, as a dataclass's was not. :class:`FrozenPlain` adds hashing and refuses
assignment, as ``frozen=True`` did (its ``__init__`` sets the fields with :func:`set_fields`).
:func:`replace` is ``dataclasses.replace``.
"""

from __future__ import annotations


class Plain:
    """Equality, repr, copy and pickle from the fields named in ``__slots__``."""

    __slots__ = ()

    def _values(self) -> tuple:
        return tuple([getattr(self, name) for name in self.__slots__])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{self.__class__.__qualname__}({fields})"

    def __reduce__(self) -> tuple:
        # copy, deepcopy and pickle make a new instance through __init__ (a frozen one
        # refuses the attribute-by-attribute way).
        return self.__class__, self._values()


class FrozenPlain(Plain):
    """A :class:`Plain` whose fields cannot be assigned after ``__init__``; hashable."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a frozen {self.__class__.__qualname__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a frozen {self.__class__.__qualname__}")


_set = object.__setattr__


def set_fields(instance: FrozenPlain, *values: object) -> None:
    """Set a frozen instance's fields, in the order of its ``__slots__`` (from its ``__init__``)."""
    for name, value in zip(instance.__slots__, values, strict=True):
        _set(instance, name, value)


def replace(instance: Plain, **changes: object) -> Plain:
    """A new instance of *instance*'s class with *changes* to some of its fields."""
    values = {name: getattr(instance, name) for name in instance.__slots__}
    unknown = changes.keys() - values.keys()
    if unknown:
        raise TypeError(f"{instance.__class__.__qualname__} has no field {', '.join(sorted(unknown))}")
    values.update(changes)
    return instance.__class__(**values)
