"""The working group's commission of issue 28 in a real 80x24 terminal (tmux): at most 50
prompts, no word broken by the terminal in any pane, every value where it was typed."""

from __future__ import annotations

import sys

from conftest import REPO
from test_interview_cli import needs_tmux
from test_interview_terminal import assert_finished_in_clean_panes, mid_word_breaks

sys.path.insert(0, str(REPO / "scripts"))

from interview_tmux_run import CHAIRS, MEMBERS, MILESTONES, TASKS, run_working_group  # noqa: E402

from drafter.answers import load_answers  # noqa: E402

pytestmark = needs_tmux


def test_a_working_groups_commission_takes_at_most_50_prompts_at_80_by_24(tmp_path):
    result = run_working_group(tmp_path / "skovby", (80, 24))
    assert_finished_in_clean_panes(result, (80, 24))
    # The profile's suggestions were on the screens (and taken with Enter).
    assert "» Skovby Kommune" in result.screens["organisation"]
    assert "» én formand" in result.screens["chair model"]
    assert "Sundhedssekretariatet" in result.screens["author"]
    answers = load_answers(next((tmp_path / "skovby" / "answers").glob("*.yaml")))
    assert answers.complete
    assert answers.get("gruppe.organisation") == "Skovby Kommune"
    assert answers.get("dokument.forfatter") == "Sundhedssekretariatet"
    assert answers.get("sekretariat.tekst") == "Gruppen sekretariatsbetjenes af Sundhedssekretariatet i Skovby Kommune."
    assert answers.get("formandskab.model") == "to-delt formandskab"
    # The reporting line: whoever commissioned the group, suggested in "Til hvem?".
    assert answers.get("afrapportering.cyklus") == [
        {"hvornaar": "Hvert kvartal", "modtager": "Sundheds- og ældreudvalget", "indhold": "Status på arbejdet"}
    ]
    assert answers.get("opgaver.opgaver") == TASKS  # one prompt, a task a line
    assert answers.get("sammensaetning.medlemmer") == [
        {"navn": n, "titel": t, "organisation": o, "rolle": r or None} for n, t, o, r in MEMBERS
    ]
    assert [list(c.values()) for c in answers.get("formandskab.formaend")] == [list(c) for c in CHAIRS]
    assert len(answers.get("periode.milepaele")) == len(MILESTONES)


def test_a_chosen_answer_is_never_broken_inside_a_word_at_60_columns(tmp_path):
    # The answer is drawn after its question once chosen; where it would not fit on the
    # question's last line, it stands on a line of its own.
    from interview_tmux_run import SKOVBY_PROFILE
    from test_interview_cli import drafter_in_tmux

    (tmp_path / "drafter.yaml").write_text(SKOVBY_PROFILE, encoding="utf-8")
    session = drafter_in_tmux("new adhoc", tmp_path, size=(60, 20))
    try:
        session.wait_for("Hvad hedder gruppen?")
        session.type("Ad-hoc gruppe om søvn")
        session.send("Enter")
        session.wait_for("» ad-hoc gruppe")
        session.send("Enter")
        session.wait_for("Hvem nedsætter gruppen?")
        session.type("Sundheds- og ældreudvalget")
        session.send("Enter")
        session.wait_for("» Skovby Kommune")
        session.send("Enter")
        screen = session.wait_for("Enter: gem")  # the document's form: the organisation is answered above it
        assert "  Skovby Kommune" in screen
        assert not mid_word_breaks(screen, 60), screen
        session.send("C-c")
        session.wait_for("Fortsæt, hvor du slap")
    finally:
        session.close()
