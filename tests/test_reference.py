"""Reference data from the seeds: what it says, what it refuses to guess, and `drafter data`."""

from __future__ import annotations

import pytest
import yaml

from conftest import run_cli
from drafter import reference


def test_every_entry_names_its_source():
    from drafter import workspace

    data = yaml.safe_load(workspace.builtin_profiles()["midtklyngen"].read_text(encoding="utf-8"))
    for section in ("klynger", "parter", "grupper", "andre_opdragsgivere"):
        assert data[section], section
        for entry in data[section]:
            assert entry["kilde"].startswith(("000_00bcd298919ee149.txt", "003_8fb6801c147988ea.txt")), entry
    assert data["rotation"]["kilde"].startswith("003_8fb6801c147988ea.txt")


def test_the_five_clusters_of_region_midtjylland():
    clusters = {c["navn"]: c["kommuner"] for c in reference.load()["klynger"]}
    assert list(clusters) == ["Gødstrupklyngen", "Horsensklyngen", "Midtklyngen", "Randersklyngen", "Aarhusklyngen"]
    assert clusters["Midtklyngen"] == ["Viborg", "Silkeborg", "Skive"]
    assert sum(len(k) for k in clusters.values()) == 19  # the region's 19 municipalities
    assert reference.clusters_as_records()[4] == {"navn": "Aarhusklyngen", "kommuner": "Aarhus og Samsø"}


def test_named_lists_for_choices():
    assert reference.choices("parter")[:2] == ["Hospitalsenhed Midt", "Regionspsykiatrien Midt"]
    assert {"Silkeborg Kommune", "Skive Kommune", "Viborg Kommune", "Almen praksis"} <= set(reference.choices("parter"))
    assert reference.choices("temagrupper") == [
        "Voksentemagruppen for somatik",
        "Voksentemagruppen for psykiatri",
        "Temagruppen for børn, unge og familie",
    ]
    assert reference.choices("grupper")[0] == "Klyngestyregruppen"
    assert "Fødeplanudvalget" in reference.choices("opdragsgivere")
    assert reference.choices("perioder") == ["2021-2022", "2023-2025", "2026-2027", "2028-2029"]
    with pytest.raises(KeyError):
        reference.choices("kommunerne")


@pytest.mark.parametrize(
    "group, year, pair",
    [
        ("klyngestyregruppen", 2021, ("HE Midt", "Silkeborg Kommune")),
        ("klyngestyregruppen", 2024, ("HE Midt", "Viborg Kommune")),
        ("somatik", 2023, ("HE Midt", "Silkeborg Kommune")),
        ("somatik", 2027, ("HE Midt", "Viborg Kommune")),
        ("psykiatri", 2026, ("Regionspsykiatrien", "Viborg Kommune")),
        ("boern_unge_familie", "2026-2027", ("HE Midt", "Silkeborg Kommune")),
        ("Temagruppen for børn, unge og familie", 2029, ("HE Midt", "Viborg Kommune")),
        ("Voksentemagruppen for psykiatri", 2022, ("Regionspsykiatrien", "Skive Kommune")),
    ],
)
def test_rotation_pair(group, year, pair):
    assert reference.rotation_pair(group, year) == pair


def test_the_unreadable_cell_stays_unknown():
    # 2026-2027, steering group: the source cannot be read; never a guess.
    assert reference.rotation_pair("klyngestyregruppen", 2026) is None
    assert reference.rotation_pair("klyngestyregruppen", 2027) is None
    cell = reference.rotation_cell("klyngestyregruppen", 2026)
    assert cell["hospital"] is None and cell["kommune"] is None
    assert "kan ikke læses" in cell["note"]
    assert reference.co_chair_text("Klyngestyregruppen", "2026-2027") is None


def test_a_partly_known_cell_keeps_its_unknown_part():
    assert reference.rotation_pair("klyngestyregruppen", 2028) == ("HE Midt", None)
    assert "politisk formandskommune" in reference.rotation_cell("klyngestyregruppen", 2029)["note"]
    assert reference.co_chair_text("klyngestyregruppen", 2028) is None


@pytest.mark.parametrize("group, year", [("somatik", 2020), ("somatik", 2030), ("netværket", 2026), ("somatik", "snart")])
def test_outside_the_plan_is_none(group, year):
    assert reference.rotation_pair(group, year) is None


def test_every_known_theme_group_cell_is_a_municipality_of_midtklyngen():
    for period in reference.choices("perioder"):
        municipalities = [reference.rotation_pair(g, period)[1] for g in ("somatik", "psykiatri", "boern_unge_familie")]
        assert set(municipalities) <= {"Silkeborg Kommune", "Skive Kommune", "Viborg Kommune"}


def test_drafter_data_shows_the_reference_data_in_danish():
    result = run_cli("data")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for text in (
        "Sundhedsklynger i Region Midtjylland",
        "Gødstrupklyngen - kommunerne: Herning, Holstebro, Ikast-Brande, Lemvig, Ringkøbing-Skjern og Struer",
        "Parterne i Midtklyngen",
        "Hospitalsenhed Midt",
        "Voksentemagruppen for psykiatri: formandskab delt mellem Regionspsykiatrien Midt og en kommune",
        "Plan for kommunernes rotation i formandskaberne",
        "Voksentemagruppen for somatik: HE Midt og Viborg Kommune",
    ):
        assert text in out, text
    period = out[out.index("  2026-2027:") : out.index("  2028-2029:")]
    assert "Klyngestyregruppen: ukendt" in period
    assert "NB: Ukendt: cellen kan ikke læses i kilden" in period
    assert "Klyngestyregruppen: HE Midt og ukendt kommune" in out
