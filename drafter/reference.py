"""Reference data from the seed texts (drafter/data/reference.yaml): clusters, parties,
groups and the co-chair rotation plan.

Questionnaires refer to these lists by name (``choices_from: parter``) and may take a
default from them (``default_from: {lookup: rotation, ...}``); the rules can ask the
rotation plan through :func:`rotation_pair`. Unknown cells stay unknown (``None``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from drafter.errors import KindError

DATA_FILE = Path(__file__).resolve().parent / "data" / "reference.yaml"


@lru_cache(maxsize=None)
def load() -> dict[str, Any]:
    import yaml

    try:
        # The C loader when PyYAML has it: the pure-Python one costs a cold render dearly.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(DATA_FILE.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KindError(f"{DATA_FILE}: referencedata kan ikke læses: {exc}") from None


# -- named lists, for questionnaire choices ---------------------------------------------

def _names(section: str) -> Callable[[], list[str]]:
    return lambda: [entry["navn"] for entry in load()[section]]


LISTS: dict[str, Callable[[], list[str]]] = {
    "klynger": _names("klynger"),
    "parter": _names("parter"),
    "grupper": _names("grupper"),
    "temagrupper": lambda: [g["navn"] for g in load()["grupper"] if g["key"] != "klyngestyregruppen"],
    "opdragsgivere": lambda: [g["navn"] for g in load()["grupper"]] + [o["navn"] for o in load()["andre_opdragsgivere"]],
    "perioder": lambda: [p["periode"] for p in load()["rotation"]["perioder"]],
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
    for group in load()["grupper"]:
        if wanted in (group["key"], group["navn"].lower()):
            return group["key"]
    return None


def _period(year: int | str) -> dict | None:
    if isinstance(year, str):
        text = year.strip()
        for period in load()["rotation"]["perioder"]:
            if period["periode"] == text:
                return period
        try:
            year = int(text[:4])
        except ValueError:
            return None
    for period in load()["rotation"]["perioder"]:
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
    return [{"navn": c["navn"], "kommuner": join_da(c["kommuner"])} for c in load()["klynger"]]


# -- defaults computed from data ----------------------------------------------------------

def _lookup_rotation(spec: dict, answer: Callable[[str], Any]) -> str | None:
    return co_chair_text(answer(spec["group"]) or spec.get("group_default", ""), answer(spec["period"]) or "")


LOOKUPS: dict[str, Callable[[dict, Callable[[str], Any]], Any]] = {
    "rotation": _lookup_rotation,
    "klynger": lambda spec, answer: clusters_as_records(),
    "answer": lambda spec, answer: answer(spec["path"]),  # an earlier answer, e.g. who commissioned the group
}
# The fields each lookup needs in a questionnaire's ``default_from`` (dotted answer paths).
LOOKUP_FIELDS: dict[str, tuple[str, ...]] = {"rotation": ("group", "period"), "klynger": (), "answer": ("path",)}


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

def describe() -> str:
    """The reference data as readable Danish text."""
    data = load()
    out: list[str] = []
    out.append(f"Sundhedsklynger i {data['region']}")
    for cluster in data["klynger"]:
        out.append(f"  {cluster['navn']} - kommunerne: {join_da(cluster['kommuner'])}")
    out.append(f"  Kilde: {data['klynger'][0]['kilde']}")
    out.append("")
    out.append("Parterne i Midtklyngen")
    for party in data["parter"]:
        note = f" ({party['note']})" if party.get("note") else ""
        out.append(f"  {party['navn']}{note}")
    out.append("  Kilde: " + "; ".join(sorted({p["kilde"].split(":")[0] for p in data["parter"]})))
    out.append("")
    out.append("Klyngestyregruppen og temagrupperne")
    for group in data["grupper"]:
        out.append(
            f"  {group['navn']}: formandskab delt mellem {group['formandskab']}; "
            f"det kommunale medformandskab {group['kommunal_periode_aar']} år ad gangen"
        )
    out.append("  Andre, der nedsætter grupper: " + ", ".join(o["navn"] for o in data["andre_opdragsgivere"]))
    out.append("")
    rotation = data["rotation"]
    out.append("Plan for kommunernes rotation i formandskaberne")
    names = {g["key"]: g["navn"] for g in data["grupper"]}
    for period in rotation["perioder"]:
        out.append(f"  {period['periode']}:")
        for key, cell in period["celler"].items():
            hospital = cell.get("hospital") or "ukendt"
            kommune = cell.get("kommune") or "ukendt kommune"
            text = "ukendt" if not cell.get("hospital") and not cell.get("kommune") else f"{hospital} og {kommune}"
            out.append(f"    {names[key]}: {text}")
            if cell.get("note"):
                out.append(f"      NB: {' '.join(cell['note'].split())}")
        for label in ("note", "tolkning"):
            if period.get(label):
                out.append(f"    {label.capitalize()}: {' '.join(period[label].split())}")
    out.append(f"  Regel: {' '.join(rotation['regel'].split())}")
    out.append(f"  Kilde: {rotation['kilde']}")
    return "\n".join(out)
