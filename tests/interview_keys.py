"""Key strokes for driving the real interview through prompt_toolkit's pipe input."""

from __future__ import annotations

from contextlib import contextmanager

ENTER = "\r"
DOWN = "\x1b[B"
UP = "\x1b[A"
CLEAR = "\x15"  # Ctrl-U: empty the line (a prompt starts with its default filled in)
FINISH = "\x1b\r"  # Esc, then Enter: sends a form (as Enter does, from any field)
CTRL_C = "\x03"
TAB = "\t"


def typed(text: str) -> str:
    """Replace whatever the prompt holds with *text*, and press Enter."""
    return CLEAR + text + ENTER


def paragraphs(*parts: str) -> str:
    """A multi-line answer: one paragraph a line, finished as every multi-line answer is:
    Enter on an empty line."""
    return ENTER.join(parts) + ENTER * 2


def form(*values: str) -> str:
    """One entry's form: each value typed into its field (Tab between them), then sent.
    A field given as "" is left empty (or takes its suggestion)."""
    return TAB.join(CLEAR + value for value in values) + FINISH


END = ENTER  # an empty entry (a form or a list line) ends a list


@contextmanager
def piped(keys: str):
    """Run the block with the real prompts reading *keys*; once they run out, input ends.

    The pipe is closed after the keys, so a test that sends too few keys ends (the
    interview sees end of input, as with Ctrl-D) instead of waiting for ever.
    """
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        with create_app_session(input=pipe, output=DummyOutput()):
            yield
