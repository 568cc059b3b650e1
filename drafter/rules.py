"""The collaboration's rules: what a commission should respect, beyond valid values.

Each rule is data: an id, a severity, the seed sentence it comes from, the question paths
it needs, and a small check function. A rule applies to a kind when the kind's
questionnaire has every path the rule needs; otherwise it is skipped. No rule names a
kind: adding a kind adds files, and the rules follow its fields.

An answer file may waive a rule with a written reason::

    undtagelser:
      - regel: formandskab-todelt
        begrundelse: Gruppen er kun internt i kommunerne.

A waived finding is still shown, marked as waived, with its reason. This module imports
neither docxtpl nor python-docx: ``drafter check`` stays fast.
"""

from __future__ import annotations

import datetime as _dt
import re

from drafter import workspace
from drafter.answers import Answers
from drafter.dates import long_date
from drafter.plain import FrozenPlain, Plain, replace, set_fields
from drafter.problems import ERROR, WAIVED, WARNING, Problem, display_path as field_name, in_file_order
from drafter.suggest import suggest
from drafter.workspace import MIN_REASON_WORDS, ProfileError
from drafter.yamlread import META_KEYS, is_empty

TYPE_CHECKING = False  # typing is for the annotations only: a check does not load it (~1.5 ms)
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, Iterator

WAIVER_KEY = "undtagelser"
WAIVER_RULE = "undtagelse"  # the id under which problems with waivers themselves are reported

# Side of an organisation in a two-part chair: from the profile's parties (their "side"),
# else from the name: a municipality says "Kommune"; the region's side is a hospital or
# psychiatry. Anything else (general practice, patient representatives) is neither.
HOSPITAL, MUNICIPALITY = "hospital", "kommune"
SIDE_NAMES = {HOSPITAL: "hospital/psykiatri", MUNICIPALITY: "kommune"}
_HOSPITAL_WORDS = ("hospital", "psykiatri", "region")
_PROFILE_SIDES = {"region": HOSPITAL, "kommune": MUNICIPALITY}

# What a rule may need from the organisation profile (drafter.workspace.Profile.missing):
# "opdragsgivere" (who may commission a group), "todelt" (a two-part chair model),
# "rotation" (the plan for rotation in the chairs). Without it the rule is skipped.

# The rotation rules apply to a commission that names its group and its period
# ("gruppe.navn", "gruppe.periode": a text "2026-2027", or a date; its first year is used),
# as the theme groups' and the steering group's commissions do. The co-chairs are either
# records with an organisation (and, for the replacement rule, the date "fra" from which
# each holds the post) or one text "HE Midt og Viborg Kommune". The plan itself comes from
# drafter.reference.rotation_pair(group, year); without it, the rules are skipped.
ROTATION_NEEDS = ("gruppe.navn", "gruppe.periode")
THEME_GROUP_NAME_PATHS = ("gruppe.navn",)
PERIOD_PATHS = ("gruppe.periode",)
CHAIR_RECORDS_PATH = "formandskab.formaend"
CHAIR_TEXT_PATHS = ("formandskab.medformandskab",)
CHAIR_SINCE_FIELD = "fra"
# Where a kind with the co-chairs as one text says when the hospital/psychiatry side's co-chair
# took (or takes) office: a date, whose year is compared with the plan's municipal changes.
HOSPITAL_CHAIR_SINCE_PATHS = ("formandskab.hospital_fra",)
# A need with alternatives ("a|b"): the kind must have at least one of them.
CHAIRS_NEED = "|".join((CHAIR_RECORDS_PATH, *CHAIR_TEXT_PATHS))


class Hit(FrozenPlain):
    """What a check function reports: where (a path in the answer file) and what to do."""

    __slots__ = ("where", "message")
    where: tuple
    message: str

    def __init__(self, where: tuple, message: str):
        set_fields(self, where, message)


class Rule(FrozenPlain):
    __slots__ = ("id", "severity", "title", "source", "needs", "check", "data")
    id: str
    severity: str
    title: str  # what the rule asks for, in Danish
    source: str  # the basis the rule rests on, in Danish; a profile's own wording and quotes (regler.<id>.kilde) are profile data and take its place
    needs: tuple[str, ...]  # question paths the kind must have for the rule to apply
    check: Callable[["Context"], Iterable[Hit]]
    data: tuple[str, ...]  # what it needs from the organisation profile

    def __init__(self, id: str, severity: str, title: str, source: str, needs: tuple[str, ...],
                 check: Callable[["Context"], Iterable[Hit]], data: tuple[str, ...] = ()):
        set_fields(self, id, severity, title, source, needs, check, data)

    def applies_to(self, questionnaire) -> bool:
        """A rule applies to every kind whose questionnaire has the paths it needs."""
        return all(_has_path(questionnaire, path) for path in self.needs)

    def skipped_because(self, profile) -> str | None:
        """Why the organisation profile keeps this rule from running (no data, or switched off)."""
        setting = profile.rule_setting(self.id)
        if setting.get("slaaet_fra"):
            return f"slået fra i profilen: {' '.join(str(setting.get('begrundelse', '')).split())}"
        return next((reason for reason in map(profile.missing, self.data) if reason), None)


class Report(Plain):
    """The rules' findings on one set of answers (problems with a rule id and answer path)."""

    __slots__ = ("findings",)
    findings: list[Problem]

    def __init__(self, findings: list[Problem] | None = None):
        self.findings = [] if findings is None else findings

    def errors(self, strict: bool = False) -> list[Problem]:
        return [f for f in self.findings if f.is_error(strict)]

    def warnings(self) -> list[Problem]:
        return [f for f in self.findings if not f.is_error()]


class Context:
    """What a check function sees: the validated answers and where each value stands."""

    def __init__(self, answers: Answers):
        self.answers = answers
        self.questionnaire = answers.questionnaire
        self.complete = answers.complete

    def has(self, path: str) -> bool:
        return _has_path(self.questionnaire, path)

    def value(self, path: str) -> Any:
        return self.answers.get(path)

    def first_present(self, paths: Iterable[str]) -> str | None:
        return next((p for p in paths if self.has(p)), None)

    def records(self, path: str) -> list[tuple[int, dict]]:
        return [(i, r) for i, r in enumerate(self.value(path) or []) if isinstance(r, dict)]

    @staticmethod
    def where(path: str, *more: Any) -> tuple:
        return (*path.split("."), *more)


def _has_path(questionnaire, path: str) -> bool:
    """A path, or alternatives "a|b" of which the questionnaire has at least one."""
    return any(questionnaire.question(p) is not None for p in path.split("|"))


class CoChairs(FrozenPlain):
    """The co-chairs of a commission, from whichever field its kind has: chair records
    (formandskab.formaend, one record per chair) or one text ("HE Midt og Viborg Kommune")."""

    __slots__ = ("path", "organisations", "from_records")
    path: str
    organisations: list[str]  # for records: one per chair, "" where not given
    from_records: bool

    def __init__(self, path: str, organisations: list[str], from_records: bool):
        set_fields(self, path, organisations, from_records)

    def where(self, index: int | None = None, key: str | None = None) -> tuple:
        if self.from_records and index is not None:
            return (*self.path.split("."), index, *((key,) if key else ()))
        return tuple(self.path.split("."))


def co_chairs(ctx: "Context") -> CoChairs | None:
    """The co-chairs' organisations; None when the kind has neither field, or the text is empty."""
    if ctx.has(CHAIR_RECORDS_PATH):
        orgs = [str(r.get("organisation") or "").strip() for _, r in ctx.records(CHAIR_RECORDS_PATH)]
        return CoChairs(CHAIR_RECORDS_PATH, orgs, True)
    path = ctx.first_present(CHAIR_TEXT_PATHS)
    text = ctx.value(path) if path else None
    if not text or not str(text).strip():
        return None
    parts = [part.strip() for part in re.split(r",|\s+og\s+|\s*&\s*", str(text)) if part.strip()]
    return CoChairs(path, parts, False)


# -- the rules ---------------------------------------------------------------------------

RULES: list[Rule] = []


def rule(id: str, severity: str, title: str, source: str, needs: tuple[str, ...], data: tuple[str, ...] = ()):
    def register(check: Callable[[Context], Iterable[Hit]]):
        RULES.append(Rule(id, severity, title, source, needs, check, data))
        return check

    return register


def _profile():
    """The organisation profile, once its rule settings are known to name rules that exist."""
    profile = workspace.profile()
    unknown = unknown_rules(profile)
    if unknown is not None:
        raise unknown
    return profile


def unknown_rules(profile) -> ProfileError | None:
    """The profile's settings of rules that do not exist (`regler.<id>`), each with its line."""
    unknown = [
        Problem(f"ukendt regel '{rule_id}'{suggest(str(rule_id), list(RULES_BY_ID))} (se: drafter check --list-rules)",
                path=("regler", rule_id))
        for rule_id in (profile.data.get("regler") or {}) if rule_id not in RULES_BY_ID
    ]
    return ProfileError(in_file_order(unknown, profile.source), profile.source) if unknown else None


def side_of(organisation: str | None) -> str | None:
    """"Skive Kommune" -> kommune; "Regionspsykiatrien Midt" -> hospital; "Almen praksis" -> None.
    A party the profile names has the side the profile gives it ("HE Midt": region)."""
    name = (organisation or "").lower()
    from_profile = _profile().side_of(name) if name.strip() else None
    if from_profile is not None:
        return _PROFILE_SIDES.get(from_profile)
    if "kommune" in name:
        return MUNICIPALITY
    if any(word in name for word in _HOSPITAL_WORDS):
        return HOSPITAL
    return None


_TWO_PART = 'Formandskabsmodellen i profilen: to-delt formandskab (formandskab.model: todelt).'


@rule("formandskab-todelt", WARNING, "Formandskabet er to-delt (to formænd).", _TWO_PART, (CHAIRS_NEED,), ("todelt",))
def _two_chairs(ctx: Context) -> Iterator[Hit]:
    chairs = co_chairs(ctx)
    if chairs is None:
        return  # an optional co-chair text left empty: nothing to count
    count = len(chairs.organisations)
    if not count and not ctx.complete:
        return
    if count != 2:
        noun = ("formand", "formænd") if chairs.from_records else ("medformand", "medformænd")
        said = f"ingen {noun[0]}" if not count else f"kun én {noun[0]}" if count == 1 else f"{count} {noun[1]}"
        named = "" if chairs.from_records else f" ({ctx.value(chairs.path)})"
        yield Hit(
            chairs.where(),
            f"der er {said}{named}; som udgangspunkt er formandskabet to-delt, typisk én fra hospital/psykiatri "
            "og én fra en kommune. Tilføj en medformand, eller skriv en undtagelse med begrundelse",
        )


@rule(
    "formandskab-begge-sider",
    WARNING,
    "De to formænd kommer fra hver sin side: hospital/psykiatri og kommune.",
    "Formandskabsmodellen i profilen: to-delt, med én fra hospital/psykiatri og én fra en kommune.",
    (CHAIRS_NEED,),
    ("todelt",),
)
def _chairs_from_both_sides(ctx: Context) -> Iterator[Hit]:
    chairs = co_chairs(ctx)
    if chairs is None or len(chairs.organisations) != 2:
        return  # formandskab-todelt speaks about the count
    sides = [side_of(org) for org in chairs.organisations]
    if sides[0] is not None and sides[0] == sides[1]:
        orgs = " og ".join(chairs.organisations)
        other = SIDE_NAMES[MUNICIPALITY if sides[0] == HOSPITAL else HOSPITAL]
        who = "begge formænd" if chairs.from_records else "begge medformænd"
        yield Hit(
            chairs.where(1, "organisation"),
            f"{who} kommer fra {SIDE_NAMES[sides[0]]} ({orgs}); lad den ene medformand komme fra {other}",
        )


_TIME_LIMITED = 'En ad-hoc gruppe eller et projekt løser en konkret, tidsafgrænset opgave.'


@rule("tidsplan-slutdato", ERROR, "En tidsafgrænset opgave har en slutdato.", _TIME_LIMITED, ("tidsplan.slut",))
def _end_date(ctx: Context) -> Iterator[Hit]:
    if ctx.complete and not ctx.value("tidsplan.slut"):
        yield Hit(ctx.where("tidsplan.slut"), "slutdatoen mangler; opgaven er tidsafgrænset, så skriv hvornår gruppen afslutter sit arbejde (ÅÅÅÅ-MM-DD)")


def _dated(ctx: Context, path: str) -> list[tuple[int, _dt.date]]:
    out = []
    for index, record in ctx.records(path):
        if record.get("dato"):
            out.append((index, _dt.date.fromisoformat(record["dato"])))
    return out


_DATED_LISTS = (("tidsplan.milepaele", "milepælen"), ("tidsplan.rapportering", "afrapporteringen"))


@rule(
    "tidsplan-inden-for-perioden",
    ERROR,
    "Milepæle og afrapporteringer ligger mellem start- og slutdato.",
    _TIME_LIMITED,
    ("tidsplan.start", "tidsplan.slut"),
)
def _dates_within_period(ctx: Context) -> Iterator[Hit]:
    start, end = ctx.value("tidsplan.start"), ctx.value("tidsplan.slut")
    start = _dt.date.fromisoformat(start) if start else None
    end = _dt.date.fromisoformat(end) if end else None
    for path, noun in _DATED_LISTS:
        if not ctx.has(path):
            continue
        for index, day in _dated(ctx, path):
            if start and day < start:
                yield Hit(ctx.where(path, index, "dato"), f"{noun} ({long_date(day)}) ligger før gruppens start ({long_date(start)}); ret datoen eller starten")
            elif end and day > end:
                yield Hit(ctx.where(path, index, "dato"), f"{noun} ({long_date(day)}) ligger efter gruppens slutdato ({long_date(end)}); ret datoen, eller flyt slutdatoen")


@rule(
    "tidsplan-kronologisk",
    WARNING,
    "Milepæle og afrapporteringer står i tidsorden.",
    _TIME_LIMITED,
    ("tidsplan.milepaele",),
)
def _dates_in_order(ctx: Context) -> Iterator[Hit]:
    for path, noun in _DATED_LISTS:
        if not ctx.has(path):
            continue
        dated = _dated(ctx, path)
        for (_, before), (index, day) in zip(dated, dated[1:]):
            if day < before:
                yield Hit(
                    ctx.where(path, index, "dato"),
                    f"{noun} ({long_date(day)}) står efter en senere dato ({long_date(before)}); sæt punkterne i tidsorden",
                )


def _one_of(name: str | None, bodies: list[str]) -> bool:
    return _normal(name) in {_normal(b) for b in bodies}


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " eller " + names[-1]


_COMMISSIONED = 'Profilens grupper, der kan nedsætte grupper (nedsaetter: true).'
_REPORTING = 'Profilens grupper, der modtager afrapportering (modtager_rapporter: true); gruppen rapporterer i henhold til opdraget.'


@rule(
    "opdragsgiver",
    ERROR,
    "Gruppen er nedsat af en af de grupper, der ifølge profilen kan nedsætte grupper.",
    _COMMISSIONED,
    ("gruppe.nedsat_af", "tidsplan.rapportering"),
    ("opdragsgivere",),
)
def _commissioned_by(ctx: Context) -> Iterator[Hit]:
    body = ctx.value("gruppe.nedsat_af")
    bodies = _profile().commissioning_bodies()
    if body and not _one_of(body, bodies):
        yield Hit(
            ctx.where("gruppe.nedsat_af"),
            f'"{body}" er ikke blandt dem, der kan nedsætte grupper ({_either(bodies)}). '
            "Skriv den gruppe, der giver opdraget",
        )


@rule(
    "afrapportering",
    ERROR,
    "Gruppen rapporterer mindst én gang, og til en af dem, der ifølge profilen modtager afrapportering.",
    _REPORTING,
    ("tidsplan.rapportering",),
)
def _reports(ctx: Context) -> Iterator[Hit]:
    reports = ctx.records("tidsplan.rapportering")
    receivers = _profile().report_receivers()  # empty: the profile does not say who receives reports
    if not any(r.get("dato") for _, r in reports):
        if ctx.complete:
            to = f" til {_either(receivers)}" if receivers else ""
            yield Hit(ctx.where("tidsplan.rapportering"), f"der er ingen afrapportering med dato; skriv hvornår gruppen rapporterer{to}")
        return
    for index, report in reports:
        receiver = report.get("modtager")
        if receiver and receivers and not _one_of(receiver, receivers):
            yield Hit(
                ctx.where("tidsplan.rapportering", index, "modtager"),
                f'"{receiver}" er ikke blandt dem, der modtager afrapportering ({_either(receivers)}); gruppen rapporterer til en af dem',
            )


@rule(
    "afrapportering-til-opdragsgiver",
    WARNING,
    "Mindst én afrapportering går til den gruppe, der gav opdraget.",
    _REPORTING,
    ("tidsplan.rapportering", "gruppe.nedsat_af"),
)
def _reports_to_commissioner(ctx: Context) -> Iterator[Hit]:
    body = ctx.value("gruppe.nedsat_af")
    reports = ctx.records("tidsplan.rapportering")
    if not body or not reports:
        return
    wanted = _normal(body)
    if not any(_normal(r.get("modtager")) == wanted for _, r in reports):
        yield Hit(
            ctx.where("tidsplan.rapportering"),
            f'ingen afrapportering går til {body}, som har nedsat gruppen; tilføj en afrapportering til {body}',
        )


_PATIENT = 'Kommissoriet beskriver inddragelse af patient- og pårørendeperspektivet.'
_DISMISSALS = re.compile(r"^\W*(ingen|nej|ikke relevant|ikke aktuelt|intet|n/?a|-+|tbd|udfyldes senere|\?+)\W*$", re.IGNORECASE)


@rule(
    "patientperspektiv",
    ERROR,
    "Kommissoriet beskriver, hvordan patient- og pårørendeperspektivet inddrages.",
    _PATIENT,
    ("opgaver.patientperspektiv",),
)
def _patient_perspective(ctx: Context) -> Iterator[Hit]:
    text = (ctx.value("opgaver.patientperspektiv") or "").strip()
    where = ctx.where("opgaver.patientperspektiv")
    if not text:
        if ctx.complete:
            yield Hit(where, "beskriv, hvordan patient- og pårørendeperspektivet inddrages (fx repræsentanter i gruppen, interviews, høring)")
    elif _DISMISSALS.match(text) or len(text.split()) < MIN_REASON_WORDS:
        yield Hit(
            where,
            f'"{text}" siger ikke, hvordan patient- og pårørendeperspektivet inddrages; beskriv hvordan, '
            "eller skriv en undtagelse med begrundelse",
        )


_COMMUNICATION = 'Kommunikationsplanen: hvem er interessenter, og hvem skal informeres af hvem.'


@rule(
    "kommunikationsplan",
    ERROR,
    "Kommunikationsplanen nævner mindst én interessent, og hvem der informerer hvem.",
    _COMMUNICATION,
    ("kommunikation.interessenter", "kommunikation.plan"),
)
def _communication(ctx: Context) -> Iterator[Hit]:
    if not ctx.complete:
        return
    if not ctx.value("kommunikation.interessenter"):
        yield Hit(ctx.where("kommunikation.interessenter"), "nævn mindst én interessent i gruppens arbejde")
    plan = ctx.records("kommunikation.plan")
    if not any(r.get("afsender") and r.get("modtager") for _, r in plan):
        yield Hit(ctx.where("kommunikation.plan"), "skriv mindst én linje i planen med, hvem der informerer, og hvem der informeres")


_PEOPLE = 'Formandskab og gruppens sammensætning er én liste af personer, hver nævnt én gang.'


def _normal(text: Any) -> str:
    return " ".join(str(text or "").casefold().split())


def _person_lists(ctx: Context) -> list[tuple[str, str]]:
    """(path, noun) of every list of people in the kind: records with a 'navn' field, chairs first."""
    lists = []
    for question in ctx.questionnaire.questions:
        if question.type == "records" and question.field_named("navn") is not None:
            noun = question.item_name or "person"
            lists.append((question.path, noun))
    lists.sort(key=lambda item: item[0] != "formandskab.formaend")
    return lists


@rule(
    "personer-dubletter",
    ERROR,
    "Ingen står to gange; formænd gentages ikke blandt medlemmerne.",
    _PEOPLE,
    ("formandskab.formaend",),
)
def _nobody_twice(ctx: Context) -> Iterator[Hit]:
    seen: dict[str, tuple[str, int, str, dict]] = {}
    for path, noun in _person_lists(ctx):
        for index, person in ctx.records(path):
            name = _normal(person.get("navn"))
            if not name:
                continue
            if name not in seen:
                seen[name] = (path, index, noun, person)
                continue
            first_path, first_index, first_noun, first = seen[name]
            where = ctx.where(path, index, "navn")
            shown = person.get("navn")
            first_at = f"{field_name(ctx.where(first_path, first_index))}"
            if first_path == path:
                message = f"{shown} står to gange (også som {first_at}); slet den ene"
            else:
                message = f"{shown} står både som {first_noun} ({first_at}) og som {noun}; nævn hver person ét sted"
            differs = [
                f"{key}: {first.get(key)!s} / {person.get(key)!s}"
                for key in ("organisation", "titel")
                if key in person and key in first and _normal(person.get(key)) != _normal(first.get(key))
            ]
            if differs:
                message += f" (og oplysningerne er forskellige: {'; '.join(differs)})"
            yield Hit(where, message)


# -- theme groups: the rotation plan ---------------------------------------------------------

_ROTATION = 'Profilens plan for rotation i formandskaberne (rotation).'
_NO_SAME_YEAR = 'Profilens plan for rotation: hospitalets/psykiatriens medformand skiftes ikke samme år som de kommunale medformænd.'


def _rotation_pair_function() -> Callable[[str, int], Any] | None:
    import importlib

    try:
        reference = importlib.import_module("drafter.reference")  # the seeds' reference data
    except ImportError:
        return None
    return getattr(reference, "rotation_pair", None)


def _plan_pair(lookup: Callable[[str, int], Any], group: str, year: int) -> tuple[str | None, ...] | None:
    """The plan's co-chairs for *group* in *year* (None in an unknown place); None if all unknown."""
    try:
        pair = lookup(group, year)
    except (KeyError, LookupError, ValueError, TypeError):
        return None
    if not pair:
        return None
    if isinstance(pair, str):
        pair = re.split(r"\s+og\s+", pair)
    names = tuple(str(p).strip() if p else None for p in pair)
    names = tuple(None if n and (n.lower().startswith("x ") or n.lower() == "ukendt") else n for n in names)
    return names if any(names) else None


def same_organisation(a: str | None, b: str | None) -> bool:
    """Loose match, with the profile's short names and aliases: "HE Midt" = "Hospitalsenhed Midt",
    "Regionspsykiatrien" = "Regionspsykiatrien Midt"."""
    x, y = _normal(a), _normal(b)
    aliases = _profile().aliases()
    x, y = aliases.get(x, x), aliases.get(y, y)
    if not x or not y:
        return False
    if "kommune" in x or "kommune" in y:
        strip = lambda s: s.replace(" kommune", "").replace("kommune", "").strip()  # noqa: E731
        return strip(x) == strip(y)
    return x in y or y in x


def _theme_group(ctx: Context) -> tuple[str, str] | None:
    path = ctx.first_present(THEME_GROUP_NAME_PATHS)
    name = ctx.value(path) if path else None
    return (path, name) if name else None


def _period(ctx: Context) -> tuple[int, str] | None:
    """(first year, how to say it) of the period the commission covers."""
    for path in PERIOD_PATHS:
        value = ctx.value(path) if ctx.has(path) else None
        match = re.match(r"\s*(\d{4})", str(value or ""))
        if match:
            text = str(value).strip()
            label = f"perioden {text}" if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else str(match.group(1))
            return int(match.group(1)), label
    return None


@rule(
    "formandskab-rotation",
    WARNING,
    "Medformændene følger planen for kommunernes rotation i formandskaberne for perioden.",
    _ROTATION,
    ROTATION_NEEDS,
    ("rotation",),
)
def _rotation(ctx: Context) -> Iterator[Hit]:
    lookup = _rotation_pair_function()
    group, period, chairs = _theme_group(ctx), _period(ctx), co_chairs(ctx)
    if lookup is None or group is None or period is None or chairs is None:
        return
    year, when = period
    pair = _plan_pair(lookup, group[1], year)
    if pair is None:
        return  # the plan has no (readable) cell for this group and period
    where, orgs = chairs.where(), [o for o in chairs.organisations if o]
    missing = [p for p in pair if p and not any(same_organisation(p, o) for o in orgs)]
    if missing:
        plan = " og ".join(p or "en medformand, som planen ikke angiver" for p in pair)
        yield Hit(
            where,
            f"ifølge rotationsplanen har {group[1]} i {when} formandskabet {plan}; "
            f"formandskabet her er {' og '.join(orgs) or 'ikke angivet'}. Ret formandskabet, "
            "eller skriv en undtagelse med begrundelse",
        )


def municipal_changes(lookup: Callable[[str, int], Any], group: str, first: int = 2021, last: int = 2029) -> dict[int, tuple[str, str]]:
    """{year: (from, to)}: the years in which the plan hands the municipal co-chair to another
    municipality. Only changes the plan states; a cell it does not know is no change."""
    changes: dict[int, tuple[str, str]] = {}
    previous = None
    for year in range(first, last + 1):
        pair = _plan_pair(lookup, group, year)
        municipality = next((p for p in pair or () if p and side_of(p) == MUNICIPALITY), None)
        if municipality and previous and not same_organisation(municipality, previous):
            changes[year] = (previous, municipality)
        if municipality:
            previous = municipality
    return changes


def _year(value: Any) -> int | None:
    match = re.match(r"\s*(\d{4})", str(value or ""))
    return int(match.group(1)) if match else None


def _hospital_chair_changes(ctx: Context) -> Iterator[tuple[tuple, int, str]]:
    """(where, year, who) for each hospital/psychiatry-side co-chair with a date of taking office."""
    if ctx.has(CHAIR_RECORDS_PATH):
        question = ctx.questionnaire.question(CHAIR_RECORDS_PATH)
        if question.field_named(CHAIR_SINCE_FIELD) is None:
            return
        for index, chair in ctx.records(CHAIR_RECORDS_PATH):
            year = _year(chair.get(CHAIR_SINCE_FIELD))
            if year is not None and side_of(chair.get("organisation")) == HOSPITAL:
                yield ctx.where(CHAIR_RECORDS_PATH, index, CHAIR_SINCE_FIELD), year, f"{chair.get('navn')} ({chair.get('organisation')})"
        return
    path = ctx.first_present(HOSPITAL_CHAIR_SINCE_PATHS)
    year = _year(ctx.value(path)) if path else None
    if year is None:
        return
    chairs = co_chairs(ctx)
    hospital = next((o for o in (chairs.organisations if chairs else ()) if side_of(o) == HOSPITAL), None)
    yield ctx.where(path), year, f"hospitalets/psykiatriens medformand ({hospital})" if hospital else "hospitalets/psykiatriens medformand"


def _municipal_changes_in_answers(ctx: Context) -> dict[int, str]:
    """Municipal co-chair changes the answers themselves state: a municipal chair's "fra"."""
    if not ctx.has(CHAIR_RECORDS_PATH):
        return {}
    question = ctx.questionnaire.question(CHAIR_RECORDS_PATH)
    if question.field_named(CHAIR_SINCE_FIELD) is None:
        return {}
    out = {}
    for _, chair in ctx.records(CHAIR_RECORDS_PATH):
        year = _year(chair.get(CHAIR_SINCE_FIELD))
        if year is not None and side_of(chair.get("organisation")) == MUNICIPALITY:
            out[year] = f"{chair.get('organisation')} bliver medformand"
    return out


@rule(
    "formandskab-skifte-samme-aar",
    ERROR,
    "Hospitalets/psykiatriens medformand skiftes ikke samme år som den kommunale.",
    _NO_SAME_YEAR,
    (*ROTATION_NEEDS, "|".join((CHAIR_RECORDS_PATH, *HOSPITAL_CHAIR_SINCE_PATHS))),
    ("rotation",),
)
def _not_same_year(ctx: Context) -> Iterator[Hit]:
    changes = list(_hospital_chair_changes(ctx))
    if not changes:
        return
    municipal = _municipal_changes_in_answers(ctx)
    lookup, group = _rotation_pair_function(), _theme_group(ctx)
    if lookup is not None and group is not None:
        for year, (before, after) in municipal_changes(lookup, group[1]).items():
            municipal.setdefault(year, f"ifølge rotationsplanen skifter det kommunale medformandskab fra {before} til {after}")
    for where, year, who in changes:
        if year in municipal:
            yield Hit(
                where,
                f"{who} bliver medformand i {year}, samme år som den kommunale medformand skifter "
                f"({municipal[year]}); af hensyn til kontinuiteten skiftes hospitalets/psykiatriens "
                "medformand et andet år",
            )


# -- names with dates -------------------------------------------------------------------------

_DATED_NAMES = (
    "Navne med dato (drafter/names/ og profilens 'navne'): sundhedsreformen, L 214 (vedtaget 2025), "
    "afløser de 21 sundhedsklynger og sundhedssamarbejdsudvalgene med 17 sundhedsråd og lægger Region "
    "Hovedstaden og Region Sjælland sammen til Region Østdanmark fra 1. januar 2027."
)
# The answer that dates a commission, in order of preference: the document's own date, else
# the day its work starts. Without either there is nothing to compare a name's dates with.
COMMISSION_DATE_PATHS = ("dokument.dato", "tidsplan.start")
# Keys of an answer file that hold no text of the commission: the meta keys, except the
# commission's own title and headings, which the document shows.
_NOT_TEXT = frozenset(META_KEYS) - {"titel", "overskrifter"}


def _commission_date(ctx: Context) -> _dt.date | None:
    for path in COMMISSION_DATE_PATHS:
        if ctx.has(path) and ctx.value(path):
            try:
                return _dt.date.fromisoformat(str(ctx.value(path))[:10])
            except ValueError:
                return None
    return None


def texts(data: Any, where: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path, text) of every text in an answer file's data, meta keys left out."""
    if isinstance(data, dict):
        for key, value in data.items():
            if not where and key in _NOT_TEXT:
                continue
            yield from texts(value, (*where, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from texts(value, (*where, index))
    elif isinstance(data, str):
        yield where, data


# A word just before a name that says the text speaks of it as past ("den tidligere
# sundhedsklynge", "den daværende Region Sjælland"): history, not a name still in use.
_PAST_MARKERS = frozenset({"tidligere", "daværende", "forhenværende", "hidtidige", "hidtidig", "nedlagte",
                           "ophørte", "gamle", "forrige"})
_LAST_WORD = re.compile(r"([^\W\d_]+)\s+$")


def _named_as_past(text: str, start: int) -> bool:
    """Whether the word before *start* in *text* marks the name there as one of the past."""
    before = _LAST_WORD.search(text[max(0, start - 40):start])
    return bool(before) and before.group(1).lower() in _PAST_MARKERS


def name_pattern(forms: Iterable[str]) -> re.Pattern:
    """Any of *forms* as a whole word (case-folded, any white space between words), with the
    Danish genitive -s ("Region Sjællands"). Forms are text, never patterns: escaped."""
    alternatives = sorted({" ".join(f.split()) for f in forms if f and f.strip()}, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(word) for word in form.split()) for form in alternatives)
    return re.compile(rf"(?<![\w-])(?:{body})s?(?![\w-])", re.IGNORECASE)


@rule(
    "navne-med-dato",
    WARNING,
    "Kommissoriet bruger de navne, der gælder på dets dato (fx Region Østdanmark fra 1. januar 2027).",
    _DATED_NAMES,
    (),
    ("navne",),
)
def _dated_names(ctx: Context) -> Iterator[Hit]:
    day = _commission_date(ctx)
    if day is None:
        return
    relevant = []
    for entry in _profile().dated_names():
        until, since = entry.get("til"), entry.get("fra")
        if until and day > _dt.date.fromisoformat(str(until)):
            relevant.append((entry, f"ophørte {long_date(_dt.date.fromisoformat(str(until)))}"))
        elif since and day < _dt.date.fromisoformat(str(since)):
            relevant.append((entry, f"findes først fra {long_date(_dt.date.fromisoformat(str(since)))}"))
    if not relevant:
        return
    patterns = [(entry, when, name_pattern([entry["navn"], *(entry.get("former") or [])])) for entry, when in relevant]
    for where, text in texts(ctx.answers.data):
        for entry, when, pattern in patterns:
            found = next((m for m in pattern.finditer(text) if not _named_as_past(text, m.start())), None)
            if not found:
                continue
            # A sentence of its own: the review puts it after 'Svaret på "...":'. The name as a
            # name: "Region Sjællands" in the text is the name "Region Sjælland".
            named = " ".join(found.group(0).split())
            forms = {" ".join(f.split()).casefold() for f in [entry["navn"], *(entry.get("former") or [])]}
            if named.casefold() not in forms and named[:-1].casefold() in forms:
                named = named[:-1]
            message = f'navnet "{named}" {when}, men kommissoriet er dateret {long_date(day)}'
            if entry.get("afløst_af") and "ophørte" in when:
                message += f'; brug "{entry["afløst_af"]}" i stedet'
            if entry.get("kilde"):
                message += f" ({entry['kilde']})"
            yield Hit(where, message)


RULES_BY_ID = {r.id: r for r in RULES}


# -- running the rules -----------------------------------------------------------------------

def rules_for(questionnaire) -> list[Rule]:
    """The rules that run on a kind under the organisation profile, each at the severity the
    profile gives it; a changed severity says so, with the profile's reason, in every finding."""
    profile = _profile()
    out = []
    for r in RULES:
        if not r.applies_to(questionnaire) or r.skipped_because(profile):
            continue
        setting = profile.rule_setting(r.id)
        if setting.get("alvor") and setting["alvor"] != r.severity:
            r = replace(r, severity=setting["alvor"], check=_noting(r.check, setting))
        out.append(r)
    return out


def _noting(check: Callable[[Context], Iterable[Hit]], setting: dict) -> Callable[[Context], Iterable[Hit]]:
    note = f" (profilen gør reglen til {setting['alvor']}: {' '.join(str(setting.get('begrundelse', '')).split())})"

    def noted(ctx: Context) -> Iterator[Hit]:
        for hit in check(ctx):
            yield Hit(hit.where, hit.message + note)

    return noted


def profile_notes() -> list[str]:
    """One line for each rule the profile switches off, with its reason (printed by check)."""
    ws = workspace.current()
    where = str(ws.root / workspace.WORKSPACE_FILE) if ws.root else f"profilen {ws.profile.name}"
    return [
        f"{where}: [{r.id}] {reason}"
        for r in RULES
        if (reason := r.skipped_because(ws.profile)) and ws.profile.rule_setting(r.id).get("slaaet_fra")
    ]


def check_answers(answers: Answers) -> Report:
    """Every rule that applies to the answers' kind, with waivers applied and checked."""
    ctx = Context(answers)
    waivers, findings = read_waivers(answers.data)
    used: set[str] = set()
    for r in rules_for(answers.questionnaire):
        for hit in r.check(ctx):
            reason = waivers.get(r.id)
            if reason is not None:
                used.add(r.id)
            findings.append(Problem(hit.message, severity=r.severity, path=tuple(hit.where), rule=r.id, waived=reason))
    for rule_id, reason in waivers.items():
        if rule_id not in used:
            findings.append(
                Problem(
                    f"reglen '{rule_id}' er undtaget, men den melder intet her; slet undtagelsen",
                    severity=WARNING,
                    path=(WAIVER_KEY,),
                    rule=WAIVER_RULE,
                )
            )
    return Report(findings)


def read_waivers(data: dict) -> tuple[dict[str, str], list[Problem]]:
    """{rule id: reason} from the answers' 'undtagelser', and any problems with them."""
    given = data.get(WAIVER_KEY)
    problems: list[Problem] = []
    waivers: dict[str, str] = {}

    def problem(where: tuple, message: str) -> None:
        problems.append(Problem(message, path=where, rule=WAIVER_RULE))

    if is_empty(given):
        return waivers, problems
    if not isinstance(given, list):
        problem((WAIVER_KEY,), "skal være en liste af undtagelser ('- regel: ...' med 'begrundelse: ...')")
        return waivers, problems
    for index, entry in enumerate(given):
        at = (WAIVER_KEY, index)
        if not isinstance(entry, dict):
            problem(at, "hver undtagelse skal have 'regel:' og 'begrundelse:'")
            continue
        for key in entry:
            if key not in ("regel", "begrundelse"):
                problem((*at, key), "ukendt felt; en undtagelse har kun 'regel' og 'begrundelse'")
        rule_id = entry.get("regel")
        reason = entry.get("begrundelse")
        if not isinstance(rule_id, str) or not rule_id.strip():
            problem((*at, "regel"), "angiv reglens id (se: drafter check --list-rules)")
            continue
        rule_id = rule_id.strip()
        if rule_id not in RULES_BY_ID:
            problem((*at, "regel"), f"ukendt regel '{rule_id}'{suggest(rule_id, list(RULES_BY_ID))} (se: drafter check --list-rules)")
            continue
        if not isinstance(reason, str) or len(reason.split()) < MIN_REASON_WORDS:
            problem(
                (*at, "begrundelse"),
                f"undtagelsen fra '{rule_id}' mangler en skrevet begrundelse (mindst {MIN_REASON_WORDS} ord); "
                "en regel kan kun undtages med en begrundelse",
            )
            continue
        if rule_id in waivers:
            problem((*at, "regel"), f"reglen '{rule_id}' er undtaget to gange; slet den ene")
            continue
        waivers[rule_id] = " ".join(reason.split())
    return waivers, problems
