"""'Did you mean' for a name that is nearly right: one helper every layer may reach."""

from __future__ import annotations


def suggest(word: str, candidates: list[str]) -> str:
    """'; mente du "x"?' when a candidate is close to *word*, else ''."""
    import difflib  # only when a name is wrong (importing difflib costs about 1 ms)

    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f'; mente du "{close[0]}"?' if close else ""
