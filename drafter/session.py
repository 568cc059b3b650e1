"""A commission being answered: the one draft session under every front end.

The interview, the web form, `drafter new --set`, `drafter edit --set` and ``api.set`` all
drive a :class:`DraftSession`. It loads a draft (or resumes one a person may have edited by
hand), sets answers from typed text through drafter.values (the one parser: quotes, lists,
ja/nej, Danish dates), clears the answers a ``when`` turns off, switches kind, waives a rule,
saves through the round-trip writer (the file's own text kept; a file changed since it was
read is never overwritten) and finishes: validate, rules, render.

Nothing here prints or prompts: a method returns what happened or raises a DrafterError
whose Danish message says what to do. A save that fails writes every answer to a recovery
file first (:class:`AutosaveFailed` says where, and the exact command to go on: the
interview's ``drafter new KIND --resume``, else ``drafter restore``). A session resumed from
a recovery file goes on in the answer file the answers belong to (``Recovery``), and the
recovery file goes once they are saved there.
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection, Mapping

from drafter import shellquote
from drafter.answers import (
    RECOVERY_KEY, Answers, Recovery, check_file, load_answers, recovery_of, restore_command, shown_path,
)
from drafter.body import Layout
from drafter.batch import DEFAULT_OUT_DIR, RenderResult, default_output, render_file
from drafter.errors import AnswerFileError, DrafterError, InvalidValue, OutputError, UsageError
from drafter.fsutil import UnsafeFile, atomic_write, describe_oserror, read_regular_file, resolved, windows_safe_stem
from drafter.interrupts import deferred
from drafter.problems import Problem, in_file_order
from drafter.questionnaire import Question, Questionnaire, load_questionnaire
from drafter.rules import MIN_REASON_WORDS, RULES_BY_ID, WAIVER_KEY, check_answers
from drafter.edits import apply_settings, merge_answers
from drafter.validate import cross_field_message, is_asked, is_complete, layout_problems, questionnaire_for, validate
from drafter.yamlio import NewFileExists, StaleFile, keeps_empty, recorded_empty, save_answers, to_yaml
from drafter import yamlio
from drafter.values import typed_value
from drafter.yamlread import MAX_FILE_BYTES, is_empty, parse_answer_text, read_answer_file

DEFAULT_ANSWERS_DIR = Path("answers")
UNFINISHED_KEY = "ufaerdige"  # meta key: answer paths a draft was stopped in the middle of
RECOVERY_SUFFIX = "-gendannet"  # a recovery file: <draft>-gendannet.yaml (what it is, its "gendannelse" says)
BESIDE_SUFFIX = "-mine-svar"  # a session's answers beside a file changed elsewhere: <file>-mine-svar.yaml


class AutosaveFailed(DrafterError):
    """The draft could not be saved (a full disk, a read-only folder); the message says
    where the answers went instead (a recovery file) and how to go on."""

    exit_code = 1

    def __init__(self, message: str, recovery: Path | None = None, reason: str = "", path: Path | None = None):
        super().__init__(message)
        self.recovery = recovery  # the recovery file holding every answer, or None if none could be written
        self.reason = reason  # why the save failed (Danish)
        self.path = path  # the answer file that could not be written


class ChangedElsewhere(DrafterError):
    """The answer file changed on disk after the session read it (an editor, another tab);
    nothing was written. The session can merge the file's changes (``reload``) or keep its
    answers in a new file beside it (``save_beside``)."""

    def __init__(self, path: Path):
        super().__init__(f"Svarfilen {path} er ændret uden for drafter, efter den blev læst; intet er gemt.")
        self.path = path


# -- names of draft files ------------------------------------------------------------------

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def slugify(name: str, fallback: str = "kommissorium", limit: int = 60) -> str:
    """'Ad-hoc gruppe om skrøbelige ældre' -> 'ad-hoc-gruppe-om-skroebelige-aeldre'."""
    text = name.translate(_DANISH).lower()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > limit:
        text = text[:limit].rsplit("-", 1)[0] or text[:limit]
    return windows_safe_stem(text.strip("-") or fallback)


def free_path(folder: Path, slug: str, out_dir: Path | None = None) -> Path:
    """folder/slug.yaml, or slug-2.yaml, slug-3.yaml ...: never a file that exists already.

    A name whose Word document already exists in *out_dir* is passed over too, so the new
    commission never ends up replacing another one's document.
    """
    slug = windows_safe_stem(slug)
    number = 1
    while True:
        stem = slug if number == 1 else f"{slug}-{number}"
        candidate = folder / f"{stem}.yaml"
        taken = candidate.exists() or candidate.is_symlink()
        if out_dir is not None:
            document = out_dir / f"{stem}.docx"
            taken = taken or document.exists() or document.is_symlink()
        if not taken:
            return candidate
        number += 1


def glob_escape(text: str) -> str:
    """*text* matched literally in a glob pattern."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def recovery_folders(draft_folder: Path) -> list[Path]:
    """Where a recovery file may go: beside the draft, else the user's own cache folder
    ($DRAFTER_CACHE_DIR when it names one)."""
    from drafter.tplcache import CACHE_ENV, platform_cache_dir

    chosen = os.environ.get(CACHE_ENV, "").strip()
    cache = Path(chosen) if chosen and chosen.lower() not in ("off", "0", "nej") else platform_cache_dir()
    return [draft_folder, cache / "gendannet"]


def recovery_target(recovery_file: Path, recovery: Recovery, out_dir: Path | None = None) -> tuple[Path, bytes | None, str]:
    """Where the answers of *recovery_file* go back to: (the path, its bytes as they are now
    for the round-trip writer, or None for a new file; a Danish note). Their own answer file
    when it is not there (any more) or is still as it was when the save failed; else a new
    file beside it (``-mine-svar``), which is then never overwritten."""
    target = shown_path(recovery.answers_path)  # as the person reads it, relative where it can be
    if target.suffix not in (".yaml", ".yml"):  # a recovery file names an answer file, nothing else
        raise AnswerFileError(f"{recovery_file}: 'gendannelse: svarfil:' skal være en svarfil (.yaml), ikke {target}")
    try:
        current = read_regular_file(target, MAX_FILE_BYTES)
    except FileNotFoundError:
        return target, None, f"Svarene fra {recovery_file} gemmes i {target}, og gendannelsesfilen fjernes derefter."
    except (OSError, UnsafeFile):
        current = None
    if current is not None and recovery.base_digest == hashlib.sha256(current).hexdigest():
        return target, current, f"Svarene fra {recovery_file} gemmes i {target}, og gendannelsesfilen fjernes derefter."
    beside = free_path(target.parent, f"{target.stem}{BESIDE_SUFFIX}", out_dir or DEFAULT_OUT_DIR)
    return beside, None, (
        f"{target} er ændret, siden svarene ikke kunne gemmes i den, så den røres ikke: svarene fra {recovery_file} "
        f"gemmes i {beside} ved siden af. Sammenlign dem med: drafter diff {shellquote.quote(target)} "
        f"{shellquote.quote(beside)}"
    )


# -- resuming a draft a person may have edited by hand ---------------------------------------

def load_for_resume(path: Path, kind: str | None) -> tuple[Answers, list[str]]:
    """A draft to go on with, tolerating what a person's hand edit may leave: one value where
    a list belongs (read as a list of one), "ufaerdige" as one path, a missing
    "complete: false" on a file that is not finished. Returns the answers and a Danish note
    per thing tolerated; anything else is the file's own clear error (AnswerFileError)."""
    try:
        answers = load_answers(path, kind)
    except AnswerFileError as first:
        raw = read_answer_file(path)
        notes = _tolerate(raw.data, path)
        if not notes:
            raise
        try:
            answers = check_file(raw, kind)
        except AnswerFileError:
            raise first from None
        return answers, notes
    return answers, []


def _tolerate(data: Any, path: Path) -> list[str]:
    """Mend *data* (a draft's parsed file) in place where a hand edit left a shape the
    questionnaire cannot take; a Danish note per mend."""
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        return []
    try:
        questionnaire = load_questionnaire(data["kind"])
    except DrafterError:
        return []
    notes = []
    if "complete" not in data:
        data["complete"] = False
        notes.append(f"{path} har ikke 'complete: false', men mangler svar; den fortsættes som kladde "
                     "og markeres som færdig, når du godkender den.")
    for question in questionnaire.questions:
        section, _, key = question.path.partition(".")
        block = data.get(section)
        if not isinstance(block, dict) or key not in block or not question.is_repeating:
            continue
        value = block[key]
        if isinstance(value, str if question.type == "list" else dict):
            block[key] = [value]
            notes.append(f"{question.path} var én værdi, hvor der hører en liste til; den er læst som en liste med ét punkt.")
    return notes


def unfinished_paths(value: Any, questionnaire: Questionnaire) -> list[str]:
    """The draft's "ufaerdige" as a list of known answer paths (a hand edit may give one
    path as text, or something else entirely)."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    known = {q.path for q in questionnaire.questions}
    return [item for item in items if isinstance(item, str) and re.sub(r"\[\d+\]$", "", item) in known]


def kept_meta(answers: Answers) -> dict[str, Any]:
    """Meta keys of a loaded file that the session does not ask about but must not drop."""
    return yamlio.kept_meta(answers.data)


def read_answer(question: Question, text: str, today: _dt.date | None = None) -> Any:
    """The answer *text* stands for (drafter.values, the one parser), checked by its question's
    rule; None for no answer. InvalidValue (Danish) for text that cannot be one. Nothing is set:
    for a front end that reads a field before it sets it (the web form, field by field)."""
    value = typed_value(question, text, today)
    return None if value is None else question.check(value)


def read_typed(question: Question, text: str, today: _dt.date | None = None) -> Any:
    """As read_answer, for what a person typed at a prompt: a text answer is kept as typed,
    quotes included. At a prompt the quotes are the person's own (a slogan, a report's
    title), not a setting's notation as in `--set`: what is typed is what is saved."""
    if question.type in ("text", "paragraphs", "choice") and text.strip():
        return question.check(text)
    return read_answer(question, text, today)


def reason_problem(reason: str) -> str | None:
    """Why *reason* cannot waive a rule (Danish), or None."""
    if len(reason.split()) < MIN_REASON_WORDS:
        return f"en regel kan kun undtages med en skrevet begrundelse på mindst {MIN_REASON_WORDS} ord"
    return None


def rule_named(rule: str):
    """The rule with the id *rule* (its title and basis, for a front end to show)."""
    return RULES_BY_ID[rule]


def answer_digest(value: Any) -> str:
    """A short digest of one answer, empty values alike (None, "", []): what a page made
    from the answers carries, to merge it later (``DraftSession.merge_typed``)."""
    text = json.dumps(yamlio.without_empty(value), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def checked_setting(key: str, question: Question, value: Any) -> Any:
    """A value `--set KEY=...` gave, checked by its question's rule (UsageError, Danish)."""
    try:
        if question.type == "records":
            return [{f.key: f.check(entry.get(f.key)) for f in question.fields if entry.get(f.key) is not None}
                    for entry in value]
        return question.check(value)
    except InvalidValue as exc:
        raise UsageError(f"--set {key}: {exc}") from None


# -- answers left empty on purpose (drafter.yamlio.keeps_empty) -----------------------------------

LEFT_EMPTY_DIGEST = "tomt"  # answer_digest's stand-in for an answer left empty on purpose (no 12 hex digits)


def note_left_empty(session: "DraftSession", path: str, value: Any) -> None:
    """An answer the person gave at *path*: empty, it was left empty on purpose (a question
    with a suggestion keeps that in the file); anything else is an answer."""
    if is_empty(value):
        session.left_empty.add(path)
    else:
        session.left_empty.discard(path)


def is_left_empty(session: "DraftSession", question: Question) -> bool:
    """Whether *question* was answered empty on purpose: its suggestion is not offered again."""
    return question.path in session.left_empty and keeps_empty(question) and is_empty(session.get(question.path))


def kept_left_empty(session: "DraftSession") -> set[str]:
    """The answers left empty on purpose that the file records: of questions still asked (a
    "no" that switches one off clears it; it was never the person's decision to keep)."""
    return {path for path in session.left_empty
            if (question := session.questionnaire.question(path)) is not None and is_asked(question, session.values)}


def held_digest(question: Question | None, value: Any, left_empty: bool) -> str:
    """answer_digest of an answer, where one left empty on purpose differs from one not given."""
    if left_empty and question is not None and keeps_empty(question) and is_empty(value):
        return LEFT_EMPTY_DIGEST
    return answer_digest(value)


def merge_typed(session: "DraftSession", section: str, typed: dict[str, Any],
                base: Mapping[str, Collection[str]]) -> list[str]:
    """DraftSession.merge_typed: an answer typed empty on a page is left empty on purpose."""
    now = session.values.get(section) if isinstance(session.values.get(section), dict) else {}
    merged, conflicts = dict(now), []
    for key, value in typed.items():
        path = f"{section}.{key}"
        question = session.questionnaire.question(path)
        digest = held_digest(question, now.get(key), path in session.left_empty)
        if digest in base.get(key, ()) or held_digest(question, value, True) == digest:
            merged[key] = value
            note_left_empty(session, path, value)
        else:
            conflicts.append(key)
    session.values[section] = merged
    return conflicts


def merged_left_empty(session: "DraftSession", base: Answers, theirs: Answers, merged: dict) -> set[str]:
    """After a three-way merge (DraftSession.reload): each answer left empty on purpose as the
    side that changed it says (this session's when both did), and only while it is empty."""
    before = recorded_empty(base.questionnaire, base.data)
    on_disk = recorded_empty(theirs.questionnaire, theirs.data)
    paths = before | on_disk | session.left_empty
    kept = {p for p in paths if (p in session.left_empty) != (p in before) and p in session.left_empty
            or (p in session.left_empty) == (p in before) and p in on_disk}
    return {p for p in kept if is_empty(merged.get(p.partition(".")[0], {}).get(p.partition(".")[2]))}


@dataclass
class Finished:
    """A finished commission: its answer file, and the document made from it."""

    answers_path: Path
    rendered: RenderResult
    findings: list[Problem] = field(default_factory=list)  # the rules' remarks and waivers, as `drafter check` has them


# -- the session -------------------------------------------------------------------------------

class DraftSession:
    """One commission being answered: its answers, the file they live in, and every change to them."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        values: dict[str, dict[str, Any]] | None = None,
        *,
        path: Path | None = None,
        answers_dir: Path = DEFAULT_ANSWERS_DIR,
        out_dir: Path | None = None,
        complete: bool = False,
        meta: dict[str, Any] | None = None,
        base: bytes | None = None,
        today: _dt.date | None = None,
    ):
        self.questionnaire = questionnaire
        self.values: dict[str, dict[str, Any]] = {s.key: {} for s in questionnaire.sections}
        for section, given in (values or {}).items():
            if isinstance(given, dict) and isinstance(self.values.get(section, {}), dict):
                self.values.setdefault(section, {}).update(given)
            else:  # a hand edit's odd shape, kept for validation to name (edit --set mends it)
                self.values[section] = given
        self.path = path
        self.answers_dir = answers_dir
        self.out_dir = out_dir
        self.complete = complete
        self.meta: dict[str, Any] = dict(meta or {})  # the file's other meta keys (undtagelser ...), kept on save
        self.left_empty: set[str] = set()  # answer paths left empty on purpose (yamlio.keeps_empty): not offered again
        self.base = base  # the file's bytes as last read or written: no save may lose edits made since
        self.today = today
        self.source = None  # the file as read (its source map gives problems their lines)
        self.extra: dict[str, Any] = {}  # top-level keys of the file that are neither answers nor meta
        self.notes: list[str] = []  # what resuming tolerated in a hand-edited draft, or where it went (Danish)
        # How a person goes on after a failed save: the interview's `drafter new KIND --resume`
        # when it asks the questions, else `drafter restore` (edit --set, import, the web form).
        self.resumes_in_interview = False
        self.chair_document: Path | None = None  # `drafter import`: the chair's Word document taken in
        self.recovered_from: Path | None = None  # the recovery file these answers came from, removed once saved
        # A new draft is named after the first question answered with text: the group's name.
        self.name_question = next((q for q in questionnaire.questions if q.type in ("text", "choice")), None)

    # -- loading -----------------------------------------------------------------------------
    @classmethod
    def resume(cls, path: Path, kind: str | None = None, **options: Any) -> "DraftSession":
        """A draft to go on with (``drafter new --resume``), hand edits tolerated (see ``notes``);
        resuming a finished file keeps it finished."""
        answers, notes = load_for_resume(path, kind)
        session = cls.from_answers(answers, path, options)
        session.notes = notes
        if UNFINISHED_KEY in session.meta:
            session.meta[UNFINISHED_KEY] = unfinished_paths(session.meta[UNFINISHED_KEY], answers.questionnaire)
        recovery = recovery_of(answers.data)
        if recovery is not None:
            session.return_from(path, recovery)
        return session

    def return_from(self, recovery_file: Path, recovery: Recovery) -> None:
        """Go on with a recovery file's answers in the answer file they belong to (see
        ``recovery_target``); the recovery file is removed once they are saved there."""
        self.path, self.base, note = recovery_target(recovery_file, recovery, self.out_dir)
        self.source = None  # the lines of problems are the recovery file's no more
        self.meta.pop(RECOVERY_KEY, None)
        self.complete = recovery.finished
        self.chair_document = recovery.chair_document
        self.recovered_from = recovery_file
        self.notes.append(note)

    @classmethod
    def open(cls, path: Path, **options: Any) -> "DraftSession":
        """A valid answer file to change (``drafter edit``); AnswerFileError names every problem."""
        return cls.from_answers(load_answers(path), path, options)

    @classmethod
    def from_answers(cls, answers: Answers, path: Path, options: dict) -> "DraftSession":
        """Answers read before (by ``drafter import``): a save never overwrites a change made since."""
        session = cls(answers.questionnaire, answers.values, path=path, complete=answers.complete,
                      meta=kept_meta(answers), base=answers.source.raw if answers.source else None, **options)
        session.source, session.left_empty = answers.source, recorded_empty(answers.questionnaire, answers.data)
        return session

    @classmethod
    def mend(cls, path: Path, **options: Any) -> "DraftSession":
        """An answer file as it is, only its kind known (``drafter edit --set`` can mend a file
        with other problems); the answers are validated when they are checked or saved."""
        source = read_answer_file(path)
        try:
            session = cls.from_data(source.data, path=path, base=source.raw, **options)
        except AnswerFileError as exc:  # no kind: said at the file's line
            raise AnswerFileError(exc.problems, source.source) from None
        session.source = source
        return session

    @classmethod
    def from_data(cls, data: Any, kind: str | None = None, **options: Any) -> "DraftSession":
        """Plain answer data as it is (a copy; validated only when checked or saved), its
        questionnaire *kind* or ``data["kind"]``; AnswerFileError when there is none."""
        questionnaire, problems = questionnaire_for(data, kind)
        if questionnaire is None:
            raise AnswerFileError(problems)
        data = copy.deepcopy(dict(data))
        sections = {s.key for s in questionnaire.sections}
        options.setdefault("complete", is_complete(data))
        session = cls(questionnaire, path=options.pop("path", None), meta=yamlio.kept_meta(data), **options)
        session.values = {k: data[k] for k in data if k in sections}  # as given: validation names odd shapes
        session.left_empty = recorded_empty(questionnaire, data)
        session.extra = {k: v for k, v in data.items()
                         if k not in sections and k not in session.meta and k not in ("kind", "schema_version", "complete")}
        return session

    # -- answers -----------------------------------------------------------------------------
    def get(self, path: str) -> Any:
        section, _, key = path.partition(".")
        block = self.values.get(section)
        return block.get(key) if isinstance(block, dict) else None

    def put(self, path: str, value: Any) -> None:
        """An answer already read and checked (a front end's own prompt gave it)."""
        section, _, key = path.partition(".")
        if not isinstance(self.values.get(section), dict):
            self.values[section] = {}
        self.values[section][key] = value
        note_left_empty(self, path, value)

    def set(self, key: str, typed: str) -> str:
        """The answer at *key* (``tidsplan.slut``, ``opgaver.opgaver[2]``,
        ``formandskab.medlemmer[1].titel``) from the text *typed*, read by drafter.values and
        checked by its question's rule; empty text removes it. Returns the key; UsageError
        (Danish) for an unknown key or a value the question refuses. Nothing is saved."""
        return self.apply([f"{key}={typed}"])[0]

    def apply(self, settings: list[str], check: bool = True) -> list[str]:
        """Every ``KEY=VALUE`` of one command, in order (a key given twice is refused); the keys
        set. With *check*, each answer set is checked by its question's rule at once;
        without, validation checks them with the others (``checked``), at their lines."""
        values = copy.deepcopy(self.values)
        keys = apply_settings(self.questionnaire, values, settings)
        if check:
            for key in keys:
                path = key.split("[")[0]
                section, _, name = path.partition(".")
                if not is_empty(values.get(section, {}).get(name)):
                    values[section][name] = checked_setting(key, self.questionnaire.question(path), values[section][name])
        self.values = values
        for path in {key.split("[")[0] for key in keys}:  # `--set KEY=` (empty): answered empty on purpose
            note_left_empty(self, path, self.get(path))
        return keys

    def read(self, question: Question, typed: str) -> Any:
        """The answer the text *typed* stands for as an answer to *question* (``read_answer``,
        with the session's today); None for no answer. InvalidValue (Danish) if it cannot be
        one. The interview reads every typed answer here."""
        value = read_typed(question, typed, self.today)
        return None if is_empty(value) else value

    def cross_check(self, question: Question, value: Any) -> str | None:
        """What the other answers say against *value* as the answer to *question* (a date
        before another), in Danish; None when nothing."""
        return cross_field_message(question, value, self.values)

    def is_asked(self, question: Question) -> bool:
        """Whether *question* belongs to the commission (a ``when`` may turn it off)."""
        return is_asked(question, self.values)

    def clear_unasked(self, questions: list[Question] | None = None) -> list[str]:
        """Clear the answers of the questions a ``when`` turns off (of *questions*, or all);
        the paths cleared."""
        cleared = []
        for question in questions if questions is not None else self.questionnaire.questions:
            if not is_asked(question, self.values) and not is_empty(self.get(question.path)):
                self.put(question.path, [] if question.is_repeating else None)
                self.left_empty.discard(question.path)  # cleared by a "no", not left empty by the person
                cleared.append(question.path)
        return cleared

    def kind_named_by(self, question: Question, value: Any) -> str | None:
        """The other kind an answer names (a project group chosen in the ad-hoc kind), if any."""
        other = question.kind_for.get(value) if question.kind_for and isinstance(value, str) else None
        return other if other and other != self.questionnaire.kind else None

    def switch_kind(self, kind: str) -> Questionnaire:
        """Go on as *kind* (one route to each kind: the same questions, the kind's own wording)."""
        self.questionnaire = load_questionnaire(kind)
        return self.questionnaire

    def merge_typed(self, section: str, typed: dict[str, Any], base: Mapping[str, Collection[str]]) -> list[str]:
        """Answers of *section* typed on a page made from an older file (saved since in another
        tab, an editor), merged answer by answer into this session (the file as it is now).
        *base*: per answer, the ``answer_digest`` of what the page showed (the file's answer, a
        suggestion in place of an empty one). An answer the file has as the page showed it, or
        as typed, takes the typed value; any other is a conflict. Returns the keys in conflict."""
        return merge_typed(self, section, typed, base)

    # -- meta: unfinished answers, waivers, layout ---------------------------------------------
    @property
    def unfinished(self) -> list[str]:
        """Answer paths the person was still working on (a list being filled, an answer
        stopped half-typed); saved in the draft as 'ufaerdige' so --resume goes back there."""
        return self.meta.setdefault(UNFINISHED_KEY, [])

    def mark_unfinished(self, path: str, unfinished: bool = True) -> None:
        if unfinished and path not in self.unfinished:
            self.unfinished.append(path)
        elif not unfinished and path in self.unfinished:
            self.unfinished.remove(path)

    @property
    def waivers(self) -> list[dict]:
        return [w for w in (self.meta.get(WAIVER_KEY) or []) if isinstance(w, dict)]

    def waive(self, rule: str, reason: str) -> None:
        """Waive *rule* with a written reason (saved as 'undtagelser'; `drafter check` shows it).
        InvalidValue (Danish) for an unknown rule or a reason that is too short."""
        reason = " ".join(reason.split())
        if rule not in RULES_BY_ID:
            raise InvalidValue(f"ukendt regel: {rule}")
        problem = reason_problem(reason)
        if problem:
            raise InvalidValue(problem)
        self.meta[WAIVER_KEY] = [w for w in self.waivers if w.get("regel") != rule] + [{"regel": rule, "begrundelse": reason}]

    def unwaive(self, rule: str) -> None:
        self.meta[WAIVER_KEY] = [w for w in self.waivers if w.get("regel") != rule]

    def set_layout(self, title: str = "", headings: dict[str, str] | None = None, order: list[str] | None = None) -> None:
        """The commission's own title, headings and order of sections; empty ones give the kind's."""
        for key, value in (("titel", " ".join(title.split())), ("overskrifter", dict(headings or {})),
                           ("orden", list(order or []))):
            if value:
                self.meta[key] = value
            else:
                self.meta.pop(key, None)

    def layout(self) -> Layout:
        """The commission's own title, headings and order as the document reads them."""
        return Layout(self.questionnaire, self.meta)

    def layout_problems(self) -> list[Problem]:
        """What is wrong with the commission's own title, headings and order (nothing else)."""
        return layout_problems(self.meta, self.questionnaire)

    # -- plain data, checks --------------------------------------------------------------------
    def data(self, complete: bool | None = None) -> dict[str, Any]:
        """The answers as plain data, as the file would hold them (finished, with *complete*)."""
        complete = self.complete if complete is None else complete
        meta = {k: v for k, v in self.meta.items() if not (k == UNFINISHED_KEY and (complete or not v))}
        data = {"kind": self.questionnaire.kind, "schema_version": self.questionnaire.schema_version,
                **self.extra, **meta, **self.values}
        if not complete:
            data["complete"] = False
        return data

    def problems(self, complete: bool | None = None) -> list[Problem]:
        """What drafter.validate says about the answers (as finished, with *complete*)."""
        return validate(self.data(complete), self.questionnaire)[1]

    def checked(self) -> Answers:
        """The answers validated (values normalised); AnswerFileError at the lines of the file."""
        data = self.data()
        values, problems = validate(data, self.questionnaire)
        if problems:
            source = self.source.source if self.source is not None else None
            raise AnswerFileError(in_file_order(problems, source) if source is not None else problems, source)
        return Answers(self.questionnaire, values, data, self.source, self.complete)

    def rule_report(self):
        """The collaboration's rules on the answers as they would be finished, as `drafter check`
        runs them; None while the answers are not yet valid."""
        data = self.data(complete=True)
        values, problems = validate(data, self.questionnaire)
        if problems:
            return None
        return check_answers(Answers(self.questionnaire, values, data, None, complete=True))

    # -- saving ------------------------------------------------------------------------------
    def draft_name(self) -> str | None:
        """What a new draft is named after (the group's name; the kind without a name question)."""
        if self.name_question is None:
            return self.questionnaire.kind
        name = self.get(self.name_question.path)
        return None if is_empty(name) else str(name)

    def new_path(self, name: str) -> tuple[Path, Path | None]:
        """Where a new draft named *name* goes, and what already has that name (a draft, or a
        document in the output folder), if anything. Makes the answers folder."""
        try:
            self.answers_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # answers/ cannot be made (a read-only folder)
            self.autosave_failed(self.answers_dir / f"{slugify(name)}.yaml",
                                 f"mappen {self.answers_dir} kan ikke oprettes ({describe_oserror(exc)})")
        out_dir = self.out_dir or DEFAULT_OUT_DIR
        wanted = self.answers_dir / f"{slugify(name)}.yaml"
        path = free_path(self.answers_dir, slugify(name), out_dir)
        if path == wanted:
            return path, None
        return path, wanted if (wanted.exists() or wanted.is_symlink()) else out_dir / f"{wanted.stem}.docx"

    def too_big(self) -> str | None:
        """Why saving now would write a file too big to be read again (over the reader's
        limit), in Danish; None when it fits. For a front end that keeps the typed answers
        itself (the web form): it refuses the save instead of ``save`` writing a recovery file."""
        size = len(yamlio.answers_text(self.questionnaire, self.values, self.complete, self.meta, self.base,
                                       kept_left_empty(self)))
        if size <= MAX_FILE_BYTES:
            return None

        def kb(count: int) -> str:
            return f"{count // 1000:,} kB".replace(",", ".")

        return (f"Svarfilen ville fylde {kb(size)}, og en svarfil må højst fylde {kb(MAX_FILE_BYTES)}. "
                "Gør de lange svar kortere (eller del dem op), og gem igen.")

    def save(self) -> bool:
        """Write the answers atomically through the round-trip writer; False when there is
        nowhere to write yet (a new draft without a name). A new draft's name taken meanwhile
        gives the next free one. ChangedElsewhere when the file changed since it was read;
        AutosaveFailed (after writing a recovery file) when it cannot be written."""
        if self.path is None:
            name = self.draft_name()
            if name is None:
                return False
            self.path = self.new_path(name)[0]
        if self.complete:
            self.meta.pop(UNFINISHED_KEY, None)
        try:
            with deferred():  # a closed terminal (SIGHUP) waits for the answer to be on disk
                self.base = save_answers(self.path, self.questionnaire, self.values, complete=self.complete,
                                         meta=self.meta, base=self.base, left_empty=kept_left_empty(self))
        except NewFileExists:  # the name was taken meanwhile: the next free one
            self.path = free_path(self.path.parent, self.path.stem, self.out_dir or DEFAULT_OUT_DIR)
            return self.save()
        except StaleFile:
            raise ChangedElsewhere(self.path) from None
        except (OutputError, OSError) as exc:  # a full disk, a read-only folder ...
            self.autosave_failed(self.path, str(exc) if isinstance(exc, DrafterError) else f"{self.path}: {describe_oserror(exc)}")
        if self.recovered_from is not None:  # every answer in it is in the answer file now
            forget_recovery(self)
        return True

    def autosave_failed(self, path: Path, reason: str) -> None:
        """The draft cannot be written: every answer goes to a recovery file, and
        AutosaveFailed says where it is and how to go on. Nothing stays only in memory."""
        recovery = write_recovery(self, path)
        raise AutosaveFailed("\n".join(not_saved_lines(self, path, reason, recovery)), recovery, reason, path)

    def reload(self) -> tuple[list[str], Path | None]:
        """After ChangedElsewhere: merge the file's changes with this session's, answer by
        answer, and save. An answer changed on both sides keeps the file's value, and all of
        this session's answers go to a new file beside it. Returns (the answers changed on
        both sides, that file or None). DrafterError when the file cannot be read as it is now."""
        theirs = load_answers(self.path, self.questionnaire.kind)
        base = check_file(parse_answer_text(self.base or b"", str(self.path)), self.questionnaire.kind)
        mine = copy.deepcopy(self.values)
        merged, conflicts = merge_answers(self.questionnaire, base.values, mine, theirs.values)
        self.left_empty = merged_left_empty(self, base, theirs, merged)
        self.values, self.meta, self.base = merged, kept_meta(theirs), theirs.source.raw
        self.save()
        if not conflicts:
            return [], None
        merged_path, merged_base = self.path, self.base
        beside = self.save_beside(mine)
        self.path, self.base, self.values = merged_path, merged_base, merged
        return conflicts, beside

    def save_beside(self, values: dict | None = None) -> Path:
        """This session's answers (or *values*) in a new file beside the file that changed,
        which stays as it is; the session goes on in the new file. Returns its path."""
        original = self.path
        if values is not None:
            self.values = values
        self.path = free_path(original.parent, f"{original.stem}{BESIDE_SUFFIX}", self.out_dir or DEFAULT_OUT_DIR)
        self.base = None
        self.save()
        return self.path

    # -- finishing ---------------------------------------------------------------------------
    def finish(self, force: bool = False) -> Finished:
        """Mark the answers complete, save them and render the document through `drafter
        render`'s code (validation and the rules first). The document goes to the output folder."""
        self.complete = True
        self.save()
        return self.render(force)

    def render(self, force: bool = False) -> Finished:
        """The document of the saved, finished answers (as `drafter render` makes it)."""
        output = default_output(self.path, self.out_dir if self.out_dir is not None else DEFAULT_OUT_DIR)
        rendered = render_file(self.path, output, force=force)
        report = self.rule_report()
        return Finished(self.path, rendered, list(report.findings) if report is not None else [])


# -- recovery files: what a failed save leaves (drafter.answers.Recovery) ---------------------

def not_saved_lines(session: DraftSession, path: Path, reason: str, recovery: Path | None) -> list[str]:
    """What a failed save says (Danish): why, where every answer is, and the command that goes
    on from there: the interview's `drafter new KIND --resume`, else `drafter restore`."""
    lines = [f"Svarene kan ikke gemmes: {reason}."]
    if recovery is None:
        return lines + ["Der kunne heller ikke skrives en gendannelsesfil; her er dine svar, som de ville stå i filen:",
                        to_yaml(session.questionnaire, session.values, False, session.meta, left_empty=kept_left_empty(session))]
    if session.resumes_in_interview:
        return lines + [f"Alle dine svar er gemt i {recovery}.", "Fortsæt, hvor du slap, med:",
                        f"  drafter new {session.questionnaire.kind} --resume {shellquote.quote(recovery)}"]
    taken_in = f", også rettelserne fra {session.chair_document}," if session.chair_document is not None else ""
    remade = ", og dokumentet laves igen," if session.complete else ""
    return lines + [f"Alle svarene{taken_in} er gemt i {recovery}.",
                    f"Når fejlen er rettet, lægges de i {path}{remade} med:", f"  {restore_command(recovery)}"]


def write_recovery(session: DraftSession, path: Path) -> Path | None:
    """Every answer of *session* as a draft file that says it is a recovery file for *path*,
    beside *path*, else in the user's cache folder; None when neither can be written. Never
    over another file, except one these answers make redundant (``superseded_recoveries``);
    a session resumed from a recovery file writes that one again (its answers are newer)."""
    questionnaire, document = session.questionnaire, session.chair_document
    recovery = Recovery(resolved(path), hashlib.sha256(session.base).hexdigest() if session.base else None,
                        session.complete, resolved(document) if document is not None else None)
    meta = {RECOVERY_KEY: recovery.as_data(), **{k: v for k, v in session.meta.items() if k != RECOVERY_KEY}}
    header = [f"Gendannelsesfil fra drafter ({questionnaire.name}): svarene kunne ikke gemmes i den svarfil,",
              "som 'gendannelse' nævner. Den er ikke et kommissorium i sig selv. Læg svarene tilbage med:",
              f"drafter restore <denne fil>, eller fortsæt med spørgsmålene: drafter new {questionnaire.kind} --resume <denne fil>"]
    data = to_yaml(questionnaire, session.values, False, meta, header, kept_left_empty(session)).encode("utf-8")
    if session.recovered_from is not None:
        try:
            atomic_write(session.recovered_from, data)
            return session.recovered_from
        except (OSError, DrafterError):
            pass
    for folder in recovery_folders(path.parent):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            superseded = superseded_recoveries(questionnaire, session.base, folder, path, recovery, data)
            target = superseded[0] if superseded else free_path(folder, f"{path.stem}{RECOVERY_SUFFIX}")
            atomic_write(target, data)
            for redundant in superseded[1:]:  # every answer of theirs is in the one just written
                redundant.unlink(missing_ok=True)
            return target
        except (OSError, DrafterError):
            continue
    return None


def superseded_recoveries(questionnaire: Questionnaire, base: bytes | None, folder: Path, path: Path,
                          recovery: Recovery, data: bytes) -> list[Path]:
    """The recovery files in *folder* that *data* (a new one for the same file, read as *base*)
    makes redundant: every answer they changed is changed in *data* too, as later typed (the
    web form's autosave fails again and again while the person goes on). The first is
    written over, the others removed, instead of one more file each time; any other stays."""
    def answers(raw: bytes) -> dict[str, str]:  # each answer's digest, as the file's YAML gives it
        parsed = parse_answer_text(raw, str(path)).data if raw else {}
        parsed = parsed if isinstance(parsed, dict) else {}
        blocks = {s.key: parsed.get(s.key) if isinstance(parsed.get(s.key), dict) else {} for s in questionnaire.sections}
        return {f"{s.key}.{q.key}": answer_digest(blocks[s.key].get(q.key)) for s in questionnaire.sections for q in s.questions}

    try:
        before, new = answers(base or b""), answers(data)
    except DrafterError:
        return []
    mine = {key for key in new if new[key] != before.get(key)}
    numbered = {}
    for candidate in folder.glob(f"{glob_escape(path.stem)}{RECOVERY_SUFFIX}*.yaml"):
        found = re.fullmatch(rf"{re.escape(path.stem)}{RECOVERY_SUFFIX}(?:-(\d+))?\.yaml", candidate.name)
        if found:
            numbered[candidate] = int(found.group(1) or 1)
    superseded = []
    for candidate in sorted(numbered, key=numbered.get):
        try:
            raw = read_regular_file(candidate, MAX_FILE_BYTES)
            if recovery_of(parse_answer_text(raw, str(candidate)).data) != recovery:
                continue
            old = answers(raw)
        except (OSError, UnsafeFile, DrafterError):
            continue
        if {key for key in old if old[key] != before.get(key)} <= mine:
            superseded.append(candidate)
    return superseded


def forget_recovery(session: DraftSession) -> None:
    """The recovery file *session* came from, removed once its answers are saved where they belong."""
    try:
        session.recovered_from.unlink(missing_ok=True)
    except OSError as exc:
        session.notes.append(f"Gendannelsesfilen {session.recovered_from} kunne ikke fjernes ({describe_oserror(exc)}); "
                             "dens svar er gemt, så slet den selv.")
    session.recovered_from = None
