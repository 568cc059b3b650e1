"""drafter.prompts on its own: what a key does at a prompt, driven through prompt_toolkit's
pipe input (the real prompts, the real key bindings)."""

from __future__ import annotations

import io
from contextlib import contextmanager

from drafter import prompts


class _Terminal(io.StringIO):
    """An output that says it is a terminal, so prompt_toolkit asks it where the cursor is."""

    def isatty(self) -> bool:
        return True


@contextmanager
def terminal(keys: str):
    """The prompts read *keys* (then end of input) and draw on a terminal that answers
    cursor-position requests as *keys* do."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        output = Vt100_Output(_Terminal(), lambda: Size(rows=24, columns=80), term="xterm-256color", enable_cpr=True)
        with create_app_session(input=pipe, output=output):
            yield


CURSOR_AT_ROW_5 = "\x1b[5;1R"  # a terminal's answer to "where is the cursor?"


def test_a_choice_with_own_text_gives_the_terminals_cursor_answer_to_the_renderer(monkeypatch):
    # The eager any-key binding of a choice with search took the terminal's cursor-position
    # answer, so prompt_toolkit waited a second for it as the prompt closed.
    from prompt_toolkit.renderer import CPR_Support

    seen = {}
    original = prompts.run

    def run(question, message):
        seen["renderer"] = question.application.renderer
        return original(question, message)

    monkeypatch.setattr(prompts, "run", run)
    with terminal(CURSOR_AT_ROW_5 + "Sundheds- og ældreudvalget\r"):
        answer = prompts.select("Hvem nedsætter gruppen?", ["Styregruppen", "Temagruppen"], own_text=True)
    assert answer == "Sundheds- og ældreudvalget" and isinstance(answer, prompts.Typed)
    assert seen["renderer"].cpr_support == CPR_Support.SUPPORTED
    assert not seen["renderer"].waiting_for_cpr
