"""What drafter.api's commands return besides plain data: a change made with --set, a
profile or rule listed, a chair's edits read, a recovery file restored, a replacement planned.

A module of their own so that a command that returns none of them (`drafter check`) does
not make them: creating a dataclass compiles its generated methods (some 2.5 ms for these six).
"""

from __future__ import annotations

from dataclasses import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from drafter.answers import Answers
    from drafter.batch import RenderResult
    from drafter.docimport import ImportResult
    from drafter.replace import FileReplacement


@dataclass
class SetResult:
    answers_path: Path
    changed: bool  # False: every answer already was as asked; the file was not written
    render: RenderResult | None  # None for a draft, which is not rendered


@dataclass
class ProfileListing:
    name: str
    description: str  # Danish, from the profile itself
    is_default: bool  # the profile in force outside a workspace


@dataclass
class RuleListing:
    id: str
    title: str
    severity: str  # as the profile has it ("fejl" or "advarsel")
    default_severity: str  # the rule's own
    source: str  # its basis: the profile's wording where it has one
    needs: list[str]  # the answers it needs ("a|b": either); empty: every kind
    skipped: str | None  # why the profile's data cannot run it, or None
    reason: str | None  # the profile's reason for a changed severity


@dataclass
class ChairEdits:
    """A Word document's edits read against its answer file (`drafter import`)."""

    docx: Path
    answers_path: Path
    answers: Answers  # the answer file now
    result: ImportResult  # changes, conflicts, kept, unplaced, formatting


@dataclass
class Replacement:
    """A name to replace in answer files (`drafter replace`): per file what would change."""

    old: str
    new: str
    paths: list[Path]
    files: list[FileReplacement]  # per file: changed, left (inside a longer word), problems


@dataclass
class Restored:
    """`drafter restore`: where a recovery file's answers went, and the document made from them."""

    answers_path: Path
    kind: str
    notes: list[str]  # Danish: where they went (another file, when theirs changed since), what was left
    render: RenderResult | None = None  # None for a draft, which is not rendered
    backup: Path | None = None  # from `drafter import`: the copy of the chair's Word file, kept before it was replaced
