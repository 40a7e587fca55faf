"""Located problems in user input, collected rather than raised one at a time.

Every user-facing error names the file, line, column and key it concerns, in the
form ``file:line:column: key: message`` that editors and CI logs recognise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: How close (0..1, difflib ratio) an unknown name must be to a known one to be suggested.
DID_YOU_MEAN_CUTOFF = 0.6


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in one input file."""

    file: str
    line: int | None = None
    column: int | None = None
    key: str = ""
    message: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"

    def github_annotation(self) -> str:
        """The same problem as a GitHub Actions ``::error`` workflow command."""
        parts = [f"file={self.file}"]
        if self.line is not None:
            parts.append(f"line={self.line}")
        if self.column is not None:
            parts.append(f"col={self.column}")
        text = f"{self.key}: {self.message}" if self.key else self.message
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error {','.join(parts)}::{text}"


class ProblemsError(Exception):
    """Raised when input has one or more problems; carries all of them."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnreadableInput(ProblemsError):
    """An input that cannot be read as an article: skipped unless the build is strict."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'cues'?"`` for the closest choice, or ``""`` if none is close."""
    import difflib  # here: only a misspelt name needs it, and every build imports this module

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=DID_YOU_MEAN_CUTOFF)
    return f"; did you mean '{close[0]}'?" if close else ""
