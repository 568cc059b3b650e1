"""Key strokes for driving the real interview through prompt_toolkit's pipe input.

``keyed`` answers by question key (a question no test names takes its default), which is
how the interview tests drive it; ``piped`` is one stream of keys for the few tests of the
terminal's own keys (typed ahead, Ctrl-E) and of one prompt.
"""

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
DEFAULT = ENTER * 2  # what a prompt no script names gets: Enter (a text of several lines: Enter on a new empty line)


def answered(section: dict) -> dict:
    """A section's answers without the questions left unanswered (so a question added to the
    kind, and not answered, changes nothing in a comparison)."""
    return {key: value for key, value in section.items() if value not in (None, "", [])}


def lines(*items: str) -> str:
    """A list's entries in its one prompt, one a line; Enter on the empty line after them ends it."""
    return "".join(typed(item) for item in items) + ENTER


def fields(kind: str, where: str, **values: str) -> str:
    """One form filled by field key: an entry of the records question *where*
    ("tidsplan.milepaele"), or the section *where* ("dokument") whose short questions the
    kind asks on one form. A field not named is left as it is (empty, its suggestion, or
    its earlier text), so a field added to the kind changes nothing here."""
    from drafter.interview_lists import together_on_a_form
    from drafter.questionnaire import load_questionnaire

    questionnaire = load_questionnaire(kind)
    if "." in where:
        keys = [f.key for f in questionnaire.question(where).fields]
    else:
        section = questionnaire.section(where)
        keys = [q.key for q in together_on_a_form(section, section.questions)]
    assert set(values) <= set(keys), f"{where} has no field {sorted(set(values) - set(keys))}"
    return TAB.join(CLEAR + values[key] if key in values else "" for key in keys) + FINISH


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


# The menus of a list being edited name no question; they belong to the question being asked.
LIST_MENUS = ("Hvad vil du?", "Hvilket punkt?")


MAX_PROMPTS = 400  # the longest scripted run (a whole working group) shows under 100


class Script:
    """What the interview asked, by key: a question's answer path, else the prompt's text."""

    def __init__(self, answers: dict[str, str | list[str]], kinds: tuple[str, ...], stop_at: int | None = None,
                 on_prompt=None):
        from drafter.questionnaire import load_questionnaire

        self.keys = {key: [value] if isinstance(value, str) else list(value) for key, value in answers.items()}
        prompts, forms = set(), set()
        for kind in kinds:
            for section in load_questionnaire(kind).sections:
                prompts |= {(q.prompt, q.path) for q in section.questions}
                if section.form and section.questions:  # its short questions on one form: the section's key
                    forms.add((f"{section.questions[0].prompt} ({section.title})", section.key))
        self.forms = dict(forms)
        self.prompts = sorted(prompts, key=lambda pair: -len(pair[0]))  # the longest prompt that fits
        self.asking: list[str] = []  # the questions Interview.ask is in, innermost last
        self.asked: list[str] = []  # the key of every prompt shown, in order
        self.shown: list[str] = []  # and its text
        self.sent: list[str] = []  # and the keys it was given
        self.stop_at = stop_at  # the number of the prompt (from 0) that gets Ctrl-C instead
        self.on_prompt = on_prompt  # called as each prompt appears, before it reads a key

    def key_of(self, message: str) -> str:
        if message in self.forms:
            return self.forms[message]
        path = next((path for prompt, path in self.prompts if message.startswith(prompt)), None)
        if path is None and self.asking and message in LIST_MENUS:
            path = self.asking[-1]
        return path or message

    def next_keys(self, message: str) -> str:
        key = self.key_of(message)
        if len(self.asked) >= MAX_PROMPTS:
            # Enter at every prompt can go round a menu for ever (the first choice again and
            # again): stop the test with the prompts seen, rather than hang the suite.
            raise AssertionError(f"more than {MAX_PROMPTS} prompts, the last ones: {self.asked[-6:]}")
        self.asked.append(key)
        self.shown.append(message)
        if self.on_prompt is not None:
            self.on_prompt()
        waiting = self.keys.get(key)
        keys = waiting.pop(0) if waiting else DEFAULT
        if len(self.asked) - 1 == self.stop_at:
            keys = CTRL_C
        self.sent.append(keys)
        return keys

    def unused(self) -> dict[str, list[str]]:
        return {key: keys for key, keys in self.keys.items() if keys}


@contextmanager
def keyed(answers: dict[str, str | list[str]], *kinds: str, stop_at: int | None = None, on_prompt=None):
    """Run the block with the real prompts answering by question key.

    *answers* maps a question's answer path (a section's key for its questions on one form;
    for a prompt that asks no question, its text: "Hvad vil du nu?" is the review) to the
    keys for its prompt, or a list of them for a question asked at several prompts (a
    records question's entries, a form each; a list being edited: its menu, then the
    entry...). A prompt whose key has nothing (more) gets Enter (DEFAULT): the suggestion,
    or no answer, or the earlier answer kept; an empty entry ends a list; the review approves.
    So a question no test names takes its default, and adding an optional question to a
    kind changes no script. Each prompt reads only its own keys, and input ends after them
    (a refused answer with no keys left ends the interview as Ctrl-D does, never a hang).
    *kinds*: the kinds whose questions are asked (a kind switch included). *stop_at*: the
    number of a prompt (from 0) that gets Ctrl-C instead; *on_prompt* is called as each
    prompt appears. Yields the Script, whose ``asked`` lists the key of every prompt shown.
    """
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from drafter import interview, prompts

    script = Script(answers, kinds or ("adhoc",), stop_at, on_prompt)
    real_run, real_ask = prompts.run, interview.Interview.ask

    def run(prompt, message):
        app = getattr(prompt, "application", prompt)
        with create_pipe_input() as pipe:
            pipe.send_text(script.next_keys(message))
            pipe.close()
            app.input = pipe
            return real_run(prompt, message)

    def ask(self, question, editing):
        script.asking.append(question.path)
        try:
            return real_ask(self, question, editing)
        finally:
            script.asking.pop()

    with create_pipe_input() as idle:
        idle.close()
        with create_app_session(input=idle, output=DummyOutput()):
            prompts.run, interview.Interview.ask = run, ask
            try:
                yield script
            finally:
                prompts.run, interview.Interview.ask = real_run, real_ask
