"""The organisation's reference data, from the workspace's profile (drafter.workspace):
clusters, parties, groups and the co-chair rotation plan.

Questionnaires refer to these lists by name (``choices_from: parter``) and may take a
default from them (``default_from: {lookup: rotation, ...}``, ``{lookup: profil, felt:
organisation.navn}``); the rules can ask the rotation plan through :func:`rotation_pair`.
Unknown cells stay unknown (``None``); a list the profile does not have is empty.
"""

from __future__ import annotations


from drafter import workspace

TYPE_CHECKING = False  # typing is for the annotations only: a check does not load it (~1.5 ms)
if TYPE_CHECKING:
    from typing import Any, Callable


def load() -> dict[str, Any]:
    """The active profile's data (the workspace's drafter.yaml, or the default profile)."""
    return workspace.profile().data


def _entries(section: str) -> list[dict]:
    return list(load().get(section) or [])


def _periods() -> list[dict]:
    return list((load().get("rotation") or {}).get("perioder") or [])


# -- named lists, for questionnaire choices ---------------------------------------------

def _names(section: str) -> Callable[[], list[str]]:
    return lambda: [entry["navn"] for entry in _entries(section)]


LISTS: dict[str, Callable[[], list[str]]] = {
    "klynger": _names("klynger"),
    "parter": _names("parter"),
    "grupper": _names("grupper"),
    "temagrupper": lambda: [g["navn"] for g in _entries("grupper") if g.get("er_temagruppe")],
    "opdragsgivere": lambda: [g["navn"] for g in _entries("grupper") + _entries("andre_opdragsgivere")],
    # the bodies the profile says receive groups' reports (modtager_rapporter: true)
    "rapportmodtagere": lambda: workspace.profile().report_receivers(),
    "perioder": lambda: [p["periode"] for p in _periods()],
}


def choices(name: str) -> list[str]:
    """A named list of reference values, e.g. choices("parter")."""
    if name not in LISTS:
        raise KeyError(f"ukendt referenceliste {name!r} (kendte: {', '.join(LISTS)})")
    return list(LISTS[name]())


# -- groups and the rotation plan --------------------------------------------------------

def group_key(name_or_key: str) -> str | None:
    """The key of a group ("somatik") from its key or its Danish name, case-insensitively."""
    wanted = (name_or_key or "").strip().lower()
    for group in _entries("grupper"):
        if wanted in (group["key"], group["navn"].lower()):
            return group["key"]
    return None


def _period(year: int | str) -> dict | None:
    if isinstance(year, str):
        text = year.strip()
        for period in _periods():
            if period["periode"] == text:
                return period
        try:
            year = int(text[:4])
        except ValueError:
            return None
    for period in _periods():
        if period["fra"] <= year <= period["til"]:
            return period
    return None


def rotation_cell(group: str, year: int | str) -> dict | None:
    """The plan's cell for *group* (key or name) in *year* (or a period "2026-2027").

    A dict with "hospital", "kommune" (either may be None: unknown), "periode" and "note";
    None when the group or the year is outside the plan.
    """
    key = group_key(group)
    period = _period(year)
    if key is None or period is None:
        return None
    cell = dict(period["celler"].get(key) or {"hospital": None, "kommune": None})
    cell["periode"] = period["periode"]
    cell.setdefault("note", None)
    return cell


def rotation_pair(group_key: str, year: int | str) -> tuple[str | None, str | None] | None:
    """(hospital side, municipality) co-chairing *group_key* in *year*, per the plan.

    None when the plan has nothing for that group and year, or the whole cell is unknown
    (2026-2027 for the steering group). A partly known cell keeps None in its unknown
    place: ("HE Midt", None) for the steering group in 2028-2029.
    """
    cell = rotation_cell(group_key, year)
    if cell is None or (cell["hospital"] is None and cell["kommune"] is None):
        return None
    return cell["hospital"], cell["kommune"]


def co_chair_text(group: str, period: int | str) -> str | None:
    """"HE Midt og Viborg Kommune", or None where the plan does not say it."""
    pair = rotation_pair(group, period) if group and period else None
    if pair is None or None in pair:
        return None
    return f"{pair[0]} og {pair[1]}"


def join_da(items: list[str]) -> str:
    """["a", "b", "c"] -> "a, b og c"."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def clusters_as_records() -> list[dict[str, str]]:
    """The region's clusters as records (navn, kommuner), for the appendix of a commission."""
    return [{"navn": c["navn"], "kommuner": join_da(c.get("kommuner") or [])} for c in _entries("klynger")]


# -- defaults computed from data ----------------------------------------------------------

def _lookup_rotation(spec: dict, answer: Callable[[str], Any]) -> str | None:
    return co_chair_text(answer(spec["group"]) or spec.get("group_default", ""), answer(spec["period"]) or "")


def _lookup_profile(spec: dict, answer: Callable[[str], Any]) -> Any:
    """A value of the profile; optionally translated to the question's own choice ("som":
    {todelt: to-delt formandskab}) or put into a sentence ("tekst": "... af {}.")."""
    value = workspace.profile().get(spec["felt"])
    if value in (None, ""):
        return None
    if isinstance(spec.get("som"), dict):
        value = spec["som"].get(value)
    if value is not None and isinstance(spec.get("tekst"), str):
        value = spec["tekst"].replace("{}", str(value))
    return value


def _lookup_receiver(spec: dict, answer: Callable[[str], Any]) -> str | None:
    """Whom a group reports to: the body that commissioned it (the earlier answer *path*),
    else the profile's receiver of reports when it names exactly one."""
    value = answer(spec["path"])
    if isinstance(value, str) and value.strip():
        return value
    receivers = workspace.profile().report_receivers()
    return receivers[0] if len(receivers) == 1 else None


def _lookup_commissioner(spec: dict, answer: Callable[[str], Any]) -> str | None:
    """Who commissions the group: the profile's body that commissions groups, when it names
    exactly one (a sundhedsråd); else no suggestion."""
    bodies = workspace.profile().commissioning_bodies()
    return bodies[0] if len(bodies) == 1 else None


LOOKUPS: dict[str, Callable[[dict, Callable[[str], Any]], Any]] = {
    "rotation": _lookup_rotation,
    "klynger": lambda spec, answer: clusters_as_records(),
    "answer": lambda spec, answer: answer(spec["path"]),  # an earlier answer, e.g. who commissioned the group
    "profil": _lookup_profile,  # a value of the profile, e.g. {lookup: profil, felt: organisation.navn}
    "rapportmodtager": _lookup_receiver,  # the commissioning body, else the profile's one receiver of reports
    "opdragsgiver": _lookup_commissioner,  # the profile's one body that commissions groups
}
# The fields each lookup needs in a questionnaire's ``default_from`` (dotted paths).
LOOKUP_FIELDS: dict[str, tuple[str, ...]] = {
    "rotation": ("group", "period"), "klynger": (), "answer": ("path",), "profil": ("felt",), "rapportmodtager": ("path",),
    "opdragsgiver": (),
}


def lookup_note(spec: dict, answers: dict[str, dict[str, Any]] | None) -> str | None:
    """Why a ``default_from`` has no (whole) suggestion, from the data's own note; else None."""
    if spec.get("lookup") != "rotation":
        return None
    answer = _answer_getter(answers)
    cell = rotation_cell(answer(spec["group"]) or "", answer(spec["period"]) or "")
    if cell is None or not cell.get("note") or (cell["hospital"] and cell["kommune"]):
        return None
    return f"Planen for rotation i formandskaberne, {cell['periode']}: {' '.join(cell['note'].split())}"


def lookup(spec: dict, answers: dict[str, dict[str, Any]] | None) -> Any:
    """Evaluate a questionnaire's ``default_from`` against the answers given so far."""
    return LOOKUPS[spec["lookup"]](spec, _answer_getter(answers))


def _answer_getter(answers: dict[str, dict[str, Any]] | None) -> Callable[[str], Any]:
    values = answers or {}

    def answer(dotted: str) -> Any:
        section, _, key = dotted.partition(".")
        return (values.get(section) or {}).get(key)

    return answer


# -- for people: `drafter data` -----------------------------------------------------------

def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def describe() -> str:
    """The profile's data as readable Danish text; what the profile does not say is said so."""
    ws = workspace.current()
    profile = ws.profile
    data = profile.data
    out: list[str] = [f"Profil: {profile.name} ({ws.root / workspace.WORKSPACE_FILE if ws.root else 'indbygget standardprofil'})"]
    org = profile.organisation or "ingen bestemt organisation"
    out.append(f"Organisation: {org} ({profile.get('organisation.type') or 'type ikke angivet'})")
    for label, key in (("Region", "region"), ("Sekretariat", "sekretariat"), ("Forfatter", "forfatter")):
        if data.get(key):
            out.append(f"{label}: {data[key]}")
    model = profile.chair_model
    out.append(f"Formandskab: {workspace.CHAIR_MODELS[model] if model else 'ikke angivet i profilen'}")
    if profile.commissioning_bodies():
        out.append("Nedsætter grupper: " + join_da(profile.commissioning_bodies()))
    if profile.report_receivers():
        out.append("Modtager afrapportering: " + join_da(profile.report_receivers()))

    if data.get("klynger"):
        out.append("")
        out.append(f"Sundhedsklynger i {data.get('region') or 'regionen'}")
        for cluster in data["klynger"]:
            out.append(f"  {cluster['navn']} - kommunerne: {join_da(cluster.get('kommuner') or [])}")
        sources = sorted({c["kilde"] for c in data["klynger"] if c.get("kilde")})
        if sources:
            out.append(f"  Kilde: {'; '.join(sources)}")
    if data.get("parter"):
        out.append("")
        out.append(f"Parterne i {org}")
        for party in data["parter"]:
            note = f" ({party['note']})" if party.get("note") else ""
            out.append(f"  {party['navn']}{note}")
        sources = sorted({p["kilde"].split(":")[0] for p in data["parter"] if p.get("kilde")})
        if sources:
            out.append("  Kilde: " + "; ".join(sources))
    if data.get("grupper"):
        out.append("")
        out.append(f"Grupperne i {org}")
        for group in data["grupper"]:
            facts = []
            if group.get("formandskab"):
                facts.append(f"formandskab delt mellem {group['formandskab']}")
            if group.get("kommunal_periode_aar"):
                facts.append(f"det kommunale medformandskab {group['kommunal_periode_aar']} år ad gangen")
            out.append(f"  {group['navn']}" + (f": {'; '.join(facts)}" if facts else ""))
    if data.get("andre_opdragsgivere"):
        out.append("  Andre, der nedsætter grupper: " + ", ".join(o["navn"] for o in data["andre_opdragsgivere"]))
    rotation = data.get("rotation")
    if rotation:
        out.append("")
        out.append("Plan for kommunernes rotation i formandskaberne")
        names = {g["key"]: g["navn"] for g in data.get("grupper") or []}
        for period in rotation.get("perioder") or []:
            out.append(f"  {period['periode']}:")
            for key, cell in (period.get("celler") or {}).items():
                cell = cell or {}
                hospital = cell.get("hospital") or "ukendt"
                kommune = cell.get("kommune") or "ukendt kommune"
                text = "ukendt" if not cell.get("hospital") and not cell.get("kommune") else f"{hospital} og {kommune}"
                out.append(f"    {names.get(key, key)}: {text}")
                if cell.get("note"):
                    out.append(f"      NB: {_one_line(cell['note'])}")
            for label in ("note", "tolkning"):
                if period.get(label):
                    out.append(f"    {label.capitalize()}: {_one_line(period[label])}")
        if rotation.get("regel"):
            out.append(f"  Regel: {_one_line(rotation['regel'])}")
        if rotation.get("kilde"):
            out.append(f"  Kilde: {rotation['kilde']}")
    settings = {k: v for k, v in (data.get("regler") or {}).items() if v.get("slaaet_fra") or v.get("alvor")}
    if settings:
        out.append("")
        out.append("Regler, som profilen ændrer")
        for rule_id, setting in settings.items():
            change = "slået fra" if setting.get("slaaet_fra") else f"alvor: {setting.get('alvor')}" if setting.get("alvor") else "uændret"
            out.append(f"  {rule_id}: {change}" + (f" ({_one_line(setting['begrundelse'])})" if setting.get("begrundelse") else ""))
    return "\n".join(out)
