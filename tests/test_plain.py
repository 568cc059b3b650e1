"""drafter.plain: the data classes on the start-up path behave as the dataclasses they were.

Equality field by field, a repr naming the fields, hashing and no assignment for the frozen
ones, none for the others, ``replace``, and copies and pickles that come back equal.
"""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

from drafter.answers import Recovery
from drafter.plain import replace
from drafter.problems import ERROR, WARNING, Problem, SourceMap
from drafter.questionnaire import Question, Section
from drafter.rules import Hit


def test_a_frozen_class_compares_and_hashes_by_its_fields_and_refuses_assignment():
    first = Problem("mangler", path=("gruppe", "navn"), rule="r1")
    same = Problem("mangler", ERROR, ("gruppe", "navn"), None, "r1")
    assert first == same and hash(first) == hash(same) and len({first, same}) == 1
    assert first != replace(first, severity=WARNING) and first != Hit(("gruppe", "navn"), "mangler")
    assert repr(first) == ("Problem(message='mangler', severity='fejl', path=('gruppe', 'navn'), place=None, "
                           "rule='r1', waived=None, quote='', file=None, line=None)")
    with pytest.raises(AttributeError):
        first.message = "andet"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        first.extra = 1  # type: ignore[attr-defined]
    assert first.in_file("a.yaml") == replace(first, file="a.yaml") and first.file is None
    with pytest.raises(TypeError):
        replace(first, nonsense=1)
    for again in (copy.copy(first), copy.deepcopy(first), pickle.loads(pickle.dumps(first))):
        assert again == first and again is not first
    recovery = Recovery(Path("a.yaml"), "abc", True)
    assert pickle.loads(pickle.dumps(recovery)) == recovery and {recovery: 1}[Recovery(Path("a.yaml"), "abc", True)] == 1


def test_a_mutable_class_compares_by_its_fields_is_not_hashable_and_gets_its_own_defaults():
    one = Question("navn", "gruppe.navn", "text", "Navn?")
    other = Question("navn", "gruppe.navn", "text", "Navn?")
    assert one == other and one.choices == [] and one.choices is not other.choices and one.kind_for == {}
    other.choices.append("x")
    assert one != other
    with pytest.raises(TypeError):
        hash(one)
    item = replace(one, type="list", required=True)
    assert (item.type, item.required, item.prompt) == ("list", True, "Navn?") and one.type == "text"
    section = Section("gruppe", "Gruppen", 1, "", [one])
    assert copy.deepcopy(section) == section and copy.deepcopy(section).questions[0] is not one
    assert SourceMap("a.yaml").lines == {} and SourceMap("a.yaml").line(("x",)) == 1

