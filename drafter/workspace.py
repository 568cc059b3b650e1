"""The workspace: a folder a secretariat owns, with its organisation profile.

A workspace is a folder with ``drafter.yaml`` (the organisation profile: its parties,
groups, who commissions and receives reports, the chair model, the rotation plan, the
words its documents use), ``answers/``, ``out/``, ``kinds/`` (own kinds and overrides) and
``templates/`` (own Word templates, e.g. with a letterhead). Every command finds it by
walking up from the current folder to the nearest ``drafter.yaml``, as git finds ``.git``,
or is given it with ``--workspace DIR``. Without a workspace the built-in default profile
applies, so that drafter works from any folder as before.

The profiles shipped with drafter live in ``drafter/profiles/<name>.yaml``; ``drafter init
--profile NAME`` copies one into a new workspace's ``drafter.yaml``. The package itself
holds no organisation's facts or wording: they are all profile data.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# _thread, not threading: the same lock, without threading's cost at every command's start-up.
import _thread

from drafter import inputs
from drafter.errors import AnswerFileError, DrafterError
from drafter.fsutil import atomic_write, describe_oserror, read_regular_file
from drafter.plain import Plain
from drafter.problems import Problem, SourceMap, in_file_order
from drafter.suggest import suggest
from drafter.yamlread import parse_answer_text, read_answer_file

TYPE_CHECKING = False  # typing is for the annotations only: a check does not load it (~1.5 ms)
if TYPE_CHECKING:
    from typing import Any

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
# Names with dates that hold for every organisation (a reform's bodies that cease or start),
# shipped as data; a profile adds its own under 'navne:'.
NAMES_DIR = Path(__file__).resolve().parent / "names"
WORKSPACE_FILE = "drafter.yaml"
# Set by `--workspace DIR` so that worker processes (and the interview) see the same one.
WORKSPACE_ENV = "DRAFTER_WORKSPACE"
# The built-in profile that applies without a workspace: the neutral one, with no
# organisation's names (the repository's examples carry their own workspace, ./drafter.yaml).
DEFAULT_PROFILE = "neutral"
# A drafter.yaml may name a built-in profile instead of holding one: "profil: midtklyngen".
NAMED_PROFILE_KEY = "profil"
# What `drafter init` starts a workspace from when no --profile is given.
INIT_PROFILE = "neutral"

ORGANISATION_TYPES = ("sundhedsklynge", "sundhedsråd", "region", "kommune", "andet")
CHAIR_MODELS = {
    "todelt": "to-delt formandskab (hospital/psykiatri og kommune)",
    "en": "én formand",
    "ingen": "intet fast formandskab",
}
PARTY_SIDES = ("region", "kommune", "almen praksis", "patienter og pårørende", "andet")
SEVERITIES = ("fejl", "advarsel")
# A rule is switched off, given another severity or waived only with a reason of at least
# this many words (in the profile, and in an answer file's "undtagelser").
MIN_REASON_WORDS = 3
# Words the Word templates' fixed texts take from the profile (profil.ord.<key>). A word
# the profile leaves out makes the template leave the text out, never print a blank.
WORDS = {
    "organisation": 'betegnelsen foran organisationens navn i dokumentets faktaboks, fx "Klynge"',
    "rapportering_til": 'hvem grupper rapporterer til, i overskriften "Rapportering til ...", fx "styregruppen"',
    "klyngebilag": 'overskriften på bilaget med regionens klynger: "Bilag 1: ..."',
    "tema": 'hvad en temagruppe kaldes i undertitlen "... i <organisation>"',
}


class ProfileError(DrafterError):
    """A drafter.yaml (or a shipped profile) that cannot be used."""


# -- the profile -------------------------------------------------------------------------

class Profile(Plain):
    """An organisation profile: plain data, read from a profile file and checked."""

    __slots__ = ("name", "path", "data", "source")
    name: str
    path: Path
    data: dict[str, Any]
    source: SourceMap | None  # the line of every value, for problems found later (drafter.rules)

    def __init__(self, name: str, path: Path, data: dict[str, Any], source: SourceMap | None = None):
        self.name = name
        self.path = path
        self.data = data
        self.source = source

    def get(self, dotted: str, default: Any = None) -> Any:
        value: Any = self.data
        for part in dotted.split("."):
            if not isinstance(value, dict) or part not in value:
                return default
            value = value[part]
        return value

    @property
    def organisation(self) -> str:
        return self.get("organisation.navn") or ""

    @property
    def words(self) -> dict[str, str]:
        """The vocabulary for the templates; every known word present, "" where not given."""
        given = self.data.get("ord") or {}
        return {key: given.get(key) or "" for key in WORDS}

    @property
    def chair_model(self) -> str | None:
        return self.get("formandskab.model")

    def groups(self) -> list[dict]:
        return list(self.data.get("grupper") or [])

    def bodies(self) -> list[dict]:
        """Every group and other body the profile names (groups first)."""
        return self.groups() + list(self.data.get("andre_opdragsgivere") or [])

    def commissioning_bodies(self) -> list[str]:
        """Names of the bodies that may commission a group (empty: the profile does not say)."""
        return [b["navn"] for b in self.bodies() if b.get("nedsaetter")]

    def report_receivers(self) -> list[str]:
        """Names of the bodies that receive groups' reports (empty: the profile does not say)."""
        return [b["navn"] for b in self.bodies() if b.get("modtager_rapporter")]

    def rule_setting(self, rule_id: str) -> dict:
        """The profile's setting for a rule: {"slaaet_fra": bool, "alvor": ..., "begrundelse": ...}."""
        return dict((self.data.get("regler") or {}).get(rule_id) or {})

    def question_setting(self, kind: str, path: str) -> dict:
        """The profile's suggestion for a question of a kind: {"forslag": ..., "valg": [...]}."""
        return dict(((self.data.get("spoergsmaal") or {}).get(kind) or {}).get(path) or {})

    def missing(self, need: str) -> str | None:
        """Why the profile lacks what a rule needs (RULE_DATA), or None when it has it."""
        if need == "opdragsgivere" and not self.commissioning_bodies():
            return "profilen angiver ikke, hvem der kan nedsætte grupper (grupper med 'nedsaetter: true')"
        if need == "todelt" and self.chair_model != "todelt":
            if self.chair_model is None:
                return "profilen angiver ingen formandskabsmodel ('formandskab: {model: ...}')"
            return f"profilens formandskab er {CHAIR_MODELS[self.chair_model]}, ikke to-delt"
        if need == "rotation" and not self.get("rotation.perioder"):
            return "profilen har ingen plan for rotation i formandskaberne ('rotation')"
        if need == "navne" and not self.dated_names():
            return "hverken drafter eller profilen har navne med dato ('navne')"
        return None

    def dated_names(self) -> list[dict]:
        """Every name with a date (from/until) in force here: drafter's shipped ones, then the
        profile's own 'navne' (a profile entry with the same name replaces the shipped one)."""
        own = [entry for entry in self.data.get("navne") or [] if isinstance(entry, dict)]
        replaced = {_folded(entry.get("navn")) for entry in own}
        return [entry for entry in shipped_dated_names() if _folded(entry.get("navn")) not in replaced] + own

    def side_of(self, organisation: str) -> str | None:
        """The side ("region", "kommune", ...) of a party the profile names, by name, short name or alias."""
        wanted = " ".join(organisation.casefold().split())
        for party in self.data.get("parter") or []:
            names = [party.get("navn"), party.get("kort"), *(party.get("kaldes_ogsaa") or [])]
            if wanted in {" ".join(str(n).casefold().split()) for n in names if n}:
                return party.get("side")
        return None

    def aliases(self) -> dict[str, str]:
        """{short name or alias: full name} of the profile's parties, case-folded."""
        out = {}
        for party in self.data.get("parter") or []:
            for alias in [party.get("kort"), *(party.get("kaldes_ogsaa") or [])]:
                if alias:
                    out[" ".join(alias.casefold().split())] = " ".join(party["navn"].casefold().split())
        return out

    def describe(self) -> str:
        what = self.get("organisation.type") or "organisation"
        return f"{self.organisation or 'ingen bestemt organisation'} ({what})"


def _folded(text: Any) -> str:
    return " ".join(str(text or "").casefold().split())


_shipped_names: dict[str, list] | None = None


def _shipped_names_data() -> dict[str, list]:
    """drafter/names/*.yaml, read and checked once: {"navne": [...], "regioner": [...]}."""
    global _shipped_names
    found = _shipped_names
    if found is None:
        with filling_cache:
            if _shipped_names is None:
                merged: dict[str, list] = {"navne": [], "regioner": []}
                for path in yaml_files(NAMES_DIR):
                    data = _load_names_file(path)
                    for key in merged:
                        merged[key].extend(data.get(key) or [])
                _shipped_names = merged
            found = _shipped_names
    return found


def shipped_dated_names() -> list[dict]:
    """The names with dates drafter ships (drafter/names/*.yaml)."""
    return _shipped_names_data()["navne"]


def regions() -> list[str]:
    """The regions in force from the newest reform drafter knows (drafter/names/*.yaml)."""
    return _shipped_names_data()["regioner"]


def _load_names_file(path: Path) -> dict:
    try:
        raw = read_answer_file(path, "navnefil")
    except AnswerFileError as exc:
        raise ProfileError(exc.problems, exc.source) from None
    out: list[Problem] = []
    check = _Checker(out, lambda where, message: Problem(message, path=tuple(where)))
    check.fields(raw.data, (), {"schema_version": check.int_, "navne": check.dated_names, "regioner": check.text_list},
                 required=("navne",))
    if out:
        raise ProfileError(in_file_order(out, raw.source), raw.source)
    return raw.data


def builtin_profiles() -> dict[str, Path]:
    """The profiles shipped with drafter, by name."""
    return {p.stem: p for p in yaml_files(PROFILES_DIR)}


def yaml_files(folder: Path) -> list[Path]:
    """The *.yaml files of *folder* (files or not), sorted, as Path.glob("*.yaml") finds them
    (the name's case ignored where the platform ignores it); the listing is noted (drafter.inputs)."""
    return [folder / name for name in inputs.names(folder) if os.path.normcase(name).endswith(".yaml")]


def builtin_profile(name: str) -> Profile:
    profiles = builtin_profiles()
    if name not in profiles:
        raise ProfileError(
            f'ukendt profil "{name}"{suggest(name, list(profiles))}; '
            f"de indbyggede profiler er: {', '.join(profiles)} (se: drafter profiles)"
        )
    return load_profile(profiles[name], name)


def load_profile(path: Path, name: str | None = None) -> Profile:
    """Read and check a profile file; ProfileError lists every problem as file:line: field: message."""
    shown = str(path)
    try:
        if inputs.is_file(path) and path.stat().st_size == 0:
            inputs.read(path, b"")  # what was found: no bytes
            raise ProfileError(Problem("filen er tom; en profil begynder med 'organisation:'", file=shown, line=1))
        raw = read_answer_file(path, "profil")
    except AnswerFileError as exc:
        raise ProfileError(exc.problems, exc.source) from None
    if isinstance(raw.data, dict) and NAMED_PROFILE_KEY in raw.data:
        return _named_profile(raw, path)
    problems = check_profile(raw.data, lambda where, message: Problem(message, path=tuple(where)))
    if problems:
        raise ProfileError(in_file_order(problems, raw.source), raw.source)
    return Profile(name or path.stem, path, raw.data, raw.source)


def _named_profile(raw, path: Path) -> Profile:
    """A drafter.yaml that names a built-in profile ("profil: midtklyngen") and holds nothing else."""
    data = raw.data
    named = data.get(NAMED_PROFILE_KEY)
    others = [k for k in data if k not in (NAMED_PROFILE_KEY, "schema_version")]
    problems = []
    if not isinstance(named, str) or named not in builtin_profiles():
        problems.append(Problem(
            f"skal være navnet på en indbygget profil ({', '.join(builtin_profiles())})", path=(NAMED_PROFILE_KEY,)
        ))
    for key in others:
        problems.append(Problem(
            f"'{NAMED_PROFILE_KEY}: {named}' bruger en indbygget profil, som den er; skriv enten '{NAMED_PROFILE_KEY}:' "
            "eller en hel profil (drafter init --profile NAVN giver en kopi at rette i)", path=(key,),
        ))
    if problems:
        raise ProfileError(in_file_order(problems, raw.source), raw.source)
    return builtin_profile(named)


# -- checking a profile --------------------------------------------------------------------

def check_profile(data: dict, problem) -> list[Problem]:
    """Every problem in a profile's data, with its path; *problem(where, message)* makes one."""
    out: list[Problem] = []
    check = _Checker(out, problem)
    check.fields(data, (), {
        "schema_version": check.int_, "organisation": check.organisation, "region": check.text,
        "sekretariat": check.text, "forfatter": check.text, "formandskab": check.chairs,
        "ord": check.words, "klynger": check.clusters, "parter": check.parties, "grupper": check.groups,
        "andre_opdragsgivere": check.bodies, "rotation": check.rotation, "regler": check.rules,
        "spoergsmaal": check.questions, "programmer": check.programs, "navne": check.dated_names,
        "graenser": check.limits,
    }, required=("organisation",))
    if not out:
        check.cross(data)
    return out


class _Checker:
    __slots__ = ("out", "problem", "group_keys")

    def __init__(self, out: list, problem: Any):
        self.out = out
        self.problem = problem
        self.group_keys: set = set()

    def fail(self, where: tuple, message: str) -> None:
        self.out.append(self.problem(where, message))

    def fields(self, value: Any, where: tuple, known: dict, required: tuple = ()) -> None:
        if not isinstance(value, dict):
            self.fail(where, "skal være en gruppe af felter (indrykkede linjer 'navn: værdi')")
            return
        for key, item in value.items():
            if key not in known:
                self.fail((*where, key), f"ukendt felt{suggest(str(key), list(known))}; kendte felter: {', '.join(known)}")
            elif item is not None:
                known[key](item, (*where, key))
        for key in required:
            if value.get(key) in (None, "", []):
                self.fail((*where, key), "mangler")

    def text(self, value: Any, where: tuple) -> None:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, "skal være en tekst")

    def optional_text(self, value: Any, where: tuple) -> None:
        if value is not None and not isinstance(value, str):
            self.fail(where, "skal være en tekst (eller null, hvis den er ukendt)")

    def int_(self, value: Any, where: tuple) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, "skal være et helt tal")

    def bool_(self, value: Any, where: tuple) -> None:
        if not isinstance(value, bool):
            self.fail(where, "skal være true eller false")

    def one_of(self, choices) -> Any:
        def check(value: Any, where: tuple) -> None:
            if value not in choices:
                self.fail(where, f'"{value}" er ikke en af mulighederne: {", ".join(choices)}{suggest(str(value), list(choices))}')
        return check

    def text_list(self, value: Any, where: tuple) -> None:
        if not isinstance(value, list):
            self.fail(where, "skal være en liste (linjer der begynder med '- ')")
            return
        for index, item in enumerate(value):
            self.text(item, (*where, index))

    def entries(self, value: Any, where: tuple, known: dict, required: tuple) -> None:
        if not isinstance(value, list):
            self.fail(where, "skal være en liste (linjer der begynder med '- ')")
            return
        for index, entry in enumerate(value):
            self.fields(entry, (*where, index), dict(known), required)

    def date(self, value: Any, where: tuple) -> None:
        import datetime as _dt

        try:
            _dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(where, f'"{value}" er ikke en dato; skriv den som år-måned-dag, fx 2026-12-31')

    def dated_names(self, value: Any, where: tuple) -> None:
        self.entries(value, where, {"navn": self.text, "former": self.text_list, "fra": self.date, "til": self.date,
                                    "afløst_af": self.text, "kilde": self.text, "note": self.text}, ("navn",))
        for index, entry in enumerate(value if isinstance(value, list) else []):
            if isinstance(entry, dict) and entry.get("fra") is None and entry.get("til") is None:
                self.fail((*where, index), "et navn med dato skal have 'fra' (første dag) eller 'til' (sidste dag), eller begge")

    def programs(self, value: Any, where: tuple) -> None:
        # Programs drafter starts, where they are not found by themselves (LibreOffice
        # installed outside Program Files, a portable copy on a shared drive).
        self.fields(value, where, {"libreoffice": self.text})

    def limits(self, value: Any, where: tuple) -> None:
        self.fields(value, where, {"skabelon_cpu_sekunder": self.seconds})

    def seconds(self, value: Any, where: tuple) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
            self.fail(where, "skal være et antal sekunder større end 0 (højst 3600), fx 5")

    def organisation(self, value: Any, where: tuple) -> None:
        self.fields(value, where, {"navn": self.text, "type": self.one_of(ORGANISATION_TYPES), "kilde": self.text,
                                   "note": self.text}, required=("type",))

    def chairs(self, value: Any, where: tuple) -> None:
        self.fields(value, where, {"model": self.one_of(tuple(CHAIR_MODELS)), "kilde": self.text, "note": self.text},
                    required=("model",))

    def words(self, value: Any, where: tuple) -> None:
        self.fields(value, where, {key: self.text for key in WORDS})

    def clusters(self, value: Any, where: tuple) -> None:
        self.entries(value, where, {"key": self.text, "navn": self.text, "kommuner": self.text_list, "kilde": self.text,
                                    "note": self.text}, ("navn",))

    def parties(self, value: Any, where: tuple) -> None:
        self.entries(value, where, {"navn": self.text, "kort": self.text, "side": self.one_of(PARTY_SIDES),
                                    "kaldes_ogsaa": self.text_list, "note": self.text, "kilde": self.text}, ("navn",))

    def groups(self, value: Any, where: tuple) -> None:
        self.entries(value, where, {
            "key": self.text, "navn": self.text, "niveau": self.text, "formandskab": self.text,
            "kommunal_periode_aar": self.int_, "nedsaetter": self.bool_, "modtager_rapporter": self.bool_,
            "er_temagruppe": self.bool_, "note": self.text, "kilde": self.text,
        }, ("key", "navn"))
        if isinstance(value, list):
            self.group_keys = {g.get("key") for g in value if isinstance(g, dict)}

    def bodies(self, value: Any, where: tuple) -> None:
        self.entries(value, where, {"navn": self.text, "nedsaetter": self.bool_, "modtager_rapporter": self.bool_,
                                    "note": self.text, "kilde": self.text}, ("navn",))

    def rotation(self, value: Any, where: tuple) -> None:
        self.fields(value, where, {"kilde": self.text, "regel": self.text, "perioder": self.periods}, required=("perioder",))

    def periods(self, value: Any, where: tuple) -> None:
        self.entries(value, where, {"periode": self.text, "fra": self.int_, "til": self.int_, "note": self.text,
                                    "tolkning": self.text, "celler": self.cells}, ("periode", "fra", "til", "celler"))

    def cells(self, value: Any, where: tuple) -> None:
        if not isinstance(value, dict):
            self.fail(where, "skal være en gruppe af felter: én celle pr. gruppe ('nøgle: {hospital: ..., kommune: ...}')")
            return
        for key, cell in value.items():
            self.fields(cell, (*where, key), {"hospital": self.optional_text, "kommune": self.optional_text, "note": self.text})

    def rules(self, value: Any, where: tuple) -> None:
        if not isinstance(value, dict):
            self.fail(where, "skal være en gruppe af felter: én pr. regel ('regel-id: {slaaet_fra: true, begrundelse: ...}')")
            return
        # Which rule ids exist is the rules' to say (drafter.rules checks them when it reads the profile).
        for rule_id, setting in value.items():
            at = (*where, rule_id)
            self.fields(setting, at, {"slaaet_fra": self.bool_, "alvor": self.one_of(SEVERITIES), "begrundelse": self.text,
                                      "kilde": self.text})
            if not isinstance(setting, dict):
                continue
            changes = setting.get("slaaet_fra") or setting.get("alvor")
            reason = setting.get("begrundelse")
            if changes and (not isinstance(reason, str) or len(reason.split()) < MIN_REASON_WORDS):
                self.fail((*at, "begrundelse"), f"en regel slås kun fra eller får en anden alvor med en skrevet begrundelse (mindst {MIN_REASON_WORDS} ord)")

    def questions(self, value: Any, where: tuple) -> None:
        if not isinstance(value, dict):
            self.fail(where, "skal være en gruppe af felter: én pr. type ('adhoc: {gruppe.klynge: {forslag: ...}}')")
            return
        for kind, paths in value.items():
            if not isinstance(paths, dict):
                self.fail((*where, kind), "skal være en gruppe af felter: én pr. spørgsmål ('afsnit.spørgsmål: {forslag: ...}')")
                continue
            for path, setting in paths.items():
                self.fields(setting, (*where, kind, path), {"forslag": lambda v, w: None, "valg": self.text_list})

    def cross(self, data: dict) -> None:
        """What needs more than one field: rotation cells name known groups."""
        rotation = data.get("rotation") or {}
        for index, period in enumerate(rotation.get("perioder") or []):
            for key in period.get("celler") or {}:
                if key not in self.group_keys:
                    self.fail(("rotation", "perioder", index, "celler", key),
                              f"ukendt gruppe '{key}'{suggest(str(key), sorted(k for k in self.group_keys if k))}; "
                              "en celle hører til en gruppe under 'grupper' (dens 'key')")
            if isinstance(period.get("fra"), int) and isinstance(period.get("til"), int) and period["til"] < period["fra"]:
                self.fail(("rotation", "perioder", index, "til"), f"året {period['til']} ligger før 'fra' ({period['fra']})")


# -- the workspace -------------------------------------------------------------------------

class Workspace(Plain):
    """The organisation's folder (root None: no workspace, the built-in default profile)."""

    __slots__ = ("root", "profile")
    root: Path | None
    profile: Profile

    def __init__(self, root: Path | None, profile: Profile):
        self.root = root
        self.profile = profile

    def folder(self, name: str) -> Path | None:
        """The workspace's folder *name*; relative to the current folder when the workspace
        is here or below it, so messages say "answers/x.yaml" as the person would type it."""
        if self.root is None:
            return None
        folder = self.root / name
        try:
            return folder.relative_to(Path.cwd().resolve())
        except (ValueError, OSError):
            return folder

    @property
    def kinds_dir(self) -> Path | None:
        return self.folder("kinds")

    @property
    def templates_dir(self) -> Path | None:
        return self.folder("templates")

    @property
    def libreoffice(self) -> Path | None:
        """LibreOffice's program as the profile names it (programmer.libreoffice), if it does."""
        named = self.profile.get("programmer.libreoffice")
        if not isinstance(named, str) or not named.strip():
            return None
        path = Path(os.path.expandvars(os.path.expanduser(named.strip())))
        return path if path.is_absolute() or self.root is None else self.root / path

    def describe(self) -> str:
        if self.root is None:
            return f"ingen arbejdsmappe; den indbyggede profil {self.profile.name}: {self.profile.describe()}"
        return f"arbejdsmappen {self.root} ({WORKSPACE_FILE}): {self.profile.describe()}"


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above *start* holding drafter.yaml."""
    here = start.resolve()
    inputs.resolved(start, here)
    for folder in (here, *here.parents):
        if inputs.is_file(folder / WORKSPACE_FILE):
            return folder
    return None


_current: Workspace | None = None


class _FillingCache:
    """`with filling_cache:` one thread at a time fills a cache of what was read (the
    workspace, the names files, drafter.questionnaire's kinds) or empties them
    (read_afresh), and what it reads meanwhile is watched (drafter.inputs): so a cache is
    never filled with what was read before it was emptied, nor holds anything unwatched."""

    def __init__(self) -> None:
        self._lock = _thread.RLock()
        self._watching = inputs.watching()

    def __enter__(self) -> None:
        self._lock.acquire()
        self._watching.__enter__()

    def __exit__(self, *exc) -> None:
        self._watching.__exit__()
        self._lock.release()


filling_cache = _FillingCache()


def current() -> Workspace:
    """The workspace of this process: --workspace (DRAFTER_WORKSPACE), or found from the current folder."""
    global _current
    found = _current
    if found is None:
        with filling_cache:
            if _current is None:
                _current = _open(os.environ.get(WORKSPACE_ENV) or None)
            found = _current
    return found


def _open(given: str | None) -> Workspace:
    if given:
        root = Path(given)
        if not inputs.is_dir(root):
            raise ProfileError(f"{given}: arbejdsmappen findes ikke (--workspace)")
        if not inputs.is_file(root / WORKSPACE_FILE):
            raise ProfileError(
                f"{given}: er ikke en arbejdsmappe (der er ingen {WORKSPACE_FILE}); lav en med: drafter init {given}"
            )
    else:
        root = find_root(Path.cwd())
    if root is None:
        return Workspace(None, builtin_profile(DEFAULT_PROFILE))
    resolved = root.resolve()
    inputs.resolved(root, resolved)
    return Workspace(resolved, load_profile(resolved / WORKSPACE_FILE, resolved.name))


def activate(root: Path | None) -> Workspace:
    """Use the workspace at *root* (None: find it again from the current folder) from now on.

    Sets DRAFTER_WORKSPACE so worker processes use the same one, and forgets what was
    read under the previous workspace (questionnaires take choices from the profile).
    """
    if root is None:
        os.environ.pop(WORKSPACE_ENV, None)
    else:
        os.environ[WORKSPACE_ENV] = str(Path(root).resolve())
    read_afresh()
    return current()


def read_afresh() -> None:
    """Forget the workspace, its profile, the kinds and the names files read so far: the
    next use reads (and notes, drafter.inputs) each of them again."""
    import sys

    global _current, _shipped_names
    with filling_cache:
        _current = _shipped_names = None
        questionnaire = sys.modules.get("drafter.questionnaire")
        if questionnaire is not None:
            questionnaire._load_file.cache_clear()
        inputs.forget_watched()


def read_afresh_if_changed() -> bool:
    """read_afresh() when a file or folder read so far is not as it was then (by its stat
    signature: nothing is read or hashed); True when it did. A long-lived process
    (`drafter serve`) asks before each request, so it works on the files as they are now."""
    if not inputs.watched_changed():
        return False
    read_afresh()
    return True


def profile() -> Profile:
    return current().profile


# -- drafter init ----------------------------------------------------------------------------

README_TEXT = """\
# Arbejdsmappe til drafter

{intro}

- `drafter.yaml` er organisationens profil: navn, parter, grupper, hvem der nedsætter grupper
  og modtager deres afrapportering, formandskabsmodel, rotationsplan og de ord, dokumenterne
  bruger. Ret den, så den passer til jer; `drafter data` viser, hvad der står i den.
- `answers/` holder svarfilerne (én pr. kommissorium).
- `out/` får de færdige Word-dokumenter.
- `kinds/` kan holde jeres egne typer kommissorier (`<type>.yaml`); en fil med samme navn som en
  indbygget type erstatter den. `extends: adhoc` bygger videre på en indbygget type.
- `templates/letterhead.docx` er jeres brevpapir: sidehoved med logo, sidefod og typografier,
  som alle typer uden egen skabelon laves i. Begynd med en kopi: `drafter template new --letterhead`,
  ret den i Word, og kontrollér den med `drafter template check templates`.
- `templates/` kan også holde en hel Word-skabelon til en type (`<type>.docx`), som bruges i
  stedet for typens egen: `drafter template new --kind adhoc`.

Kom i gang:

    drafter new arbejdsgruppe
    drafter render answers/
"""


def _readme_intro(organisation: str) -> str:
    """The workspace README's first lines, with the organisation's name in the genitive
    ("Skovby Kommunes"; a name ending in s, x or z takes an apostrophe), wrapped as the rest."""
    import textwrap

    owner = (organisation + ("'" if organisation[-1:].lower() in "sxz" else "s")) if organisation else "organisationens"
    return textwrap.fill(f"Denne mappe er {owner} arbejdsmappe til kommissorier. drafter finder den selv, når du står "
                         "i mappen (eller i en mappe under den).", 100, break_on_hyphens=False, break_long_words=False)


class InitResult(Plain):
    __slots__ = ("root", "created", "existed", "kept", "notes")
    root: Path
    created: list[Path]
    existed: bool
    kept: Path | None  # with switch: where the workspace's previous drafter.yaml was kept
    notes: list[str]  # what the secretariat still has to fill in

    def __init__(self, root: Path, created: list[Path], existed: bool, kept: Path | None = None,
                 notes: list[str] | None = None):
        self.root = root
        self.created = created
        self.existed = existed
        self.kept = kept
        self.notes = [] if notes is None else notes


def init(root: Path, profile_name: str | None = None, name: str | None = None, region: str | None = None,
         switch: bool = False) -> InitResult:
    """Create a workspace at *root* from a shipped profile; an existing one is left as it is.

    *name* and *region* are written into the copy (organisation.navn, region), with the
    profile's comments kept. *switch*: an existing workspace gets the new profile, and its
    previous drafter.yaml is kept beside it as drafter.<old profile>.yaml (nothing is lost).
    """
    target = root / WORKSPACE_FILE
    if target.exists() and not switch:
        return InitResult(root, [], True)
    chosen = builtin_profile(profile_name or INIT_PROFILE)
    text, notes = _profile_text(chosen, name, region)
    if root.exists() and not root.is_dir():
        raise ProfileError(f"{root}: findes og er ikke en mappe")
    created: list[Path] = []
    kept = None
    try:
        if target.exists():
            kept = _keep_previous(target)
        if not root.exists():
            root.mkdir(parents=True)
            created.append(root)
        for folder_name in ("answers", "out", "kinds", "templates"):
            folder = root / folder_name
            if not folder.exists():
                folder.mkdir()
                created.append(folder)
        readme = root / "README.md"
        if not readme.exists():
            atomic_write(readme, README_TEXT.format(intro=_readme_intro(name or chosen.organisation)).encode("utf-8"))
            created.append(readme)
        header = (
            f"# Organisationsprofil for denne arbejdsmappe, oprettet fra den indbyggede profil \"{chosen.name}\".\n"
            "# Filen er jeres: ret navne, parter, grupper og ord, så de passer til organisationen.\n"
        )
        atomic_write(target, (header + text).encode("utf-8"))
        created.append(target)
    except OSError as exc:
        raise ProfileError(f"{root}: arbejdsmappen kan ikke oprettes ({describe_oserror(exc)})") from None
    return InitResult(root, created, False, kept, notes)


def _keep_previous(target: Path) -> Path:
    """Copy the workspace's drafter.yaml to a free name beside it before it is replaced."""
    try:
        named = load_profile(target).organisation
    except ProfileError:
        named = ""
    ascii_name = named.casefold().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))
    stem = "drafter." + (re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:40] or "tidligere")
    for number in range(1, 1000):
        kept = target.with_name(f"{stem}.yaml" if number == 1 else f"{stem}-{number}.yaml")
        if not kept.exists():
            break
    atomic_write(kept, read_regular_file(target, 1_000_000))
    return kept


def _profile_text(chosen: Profile, name: str | None, region: str | None) -> tuple[str, list[str]]:
    """The shipped profile's text with *name* and *region* written in (comments kept)."""
    import copy

    text = chosen.path.read_text(encoding="utf-8")
    data = copy.deepcopy(chosen.data)
    notes: list[str] = []
    if name is not None:
        name = " ".join(name.split())
        if not name:
            raise ProfileError("--name: navnet er tomt")
        data.setdefault("organisation", {})["navn"] = name
    if region is not None:
        data["region"] = _known_region(region)
    elif data.get("organisation", {}).get("type") == "sundhedsråd" and not data.get("region"):
        told = [r for r in regions() if _region_word(r) in (name or "").casefold()]
        if len(told) == 1:
            data["region"] = told[0]
        else:
            notes.append(
                "regionen fremgår ikke af navnet; skriv den i drafter.yaml ('region:'), eller kør igen med "
                f"--region ({', '.join(regions())})"
            )
    if data.get("organisation", {}).get("type") == "sundhedsråd" and not data.get("parter"):
        if data.get("region"):  # the responsible authority is a party of every council: the law says so
            data["parter"] = [{"navn": data["region"], "side": "region"}]
        notes.append("rådets kommuner er ikke angivet; tilføj dem under 'parter' i drafter.yaml (side: kommune)")
    if data == chosen.data:
        return text, notes
    from drafter.yamlio import patch_text  # lazy: only init writes a profile (1.3 ms CPU of every command)

    try:
        patched = patch_text(text, data, lambda path, old, new: old == new)
    except ValueError:
        patched = None
    if patched is None or _reads_as(patched) != data:
        raise ProfileError(f"{chosen.path}: navnet kan ikke skrives i profilen")  # a shipped profile: a bug, said plainly
    return patched, notes


def _reads_as(text: str) -> Any:
    return parse_answer_text(text.encode("utf-8"), "profil", "profil").data


def _region_word(region: str) -> str:
    """"Region Østdanmark" -> "østdanmark": the word that tells a region in a name."""
    return region.split()[-1].casefold()


def _known_region(given: str) -> str:
    wanted = " ".join(given.split()).casefold()
    for known in regions():
        if wanted in (known.casefold(), _region_word(known)):
            return known
    raise ProfileError(
        f'--region: "{given}" er ikke en af regionerne{suggest(given, regions())}: {", ".join(regions())}'
    )
