"""drafter: from a short guided questionnaire to a Danish Word commission (kommissorium)."""

__version__ = "0.1.0"
