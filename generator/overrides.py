"""Hand-written article metadata: sidecar files and Markdown front matter.

An input ``seeds/<name>.txt`` may have a sidecar ``seeds/<name>.yml``; a ``.md``
input may start with YAML front matter between ``---`` lines. Both hold the same
fields (:data:`FIELDS`), which override what ingest infers from the text::

    title: Take the Xi-Putin Relationship at Face Value
    author: Jane Doe
    date: 2023-03-22          # YYYY-MM-DD, YYYY-MM or YYYY
    url: https://example.org/article
    positions:                # pin a theme's position: theme id -> position id
      asymmetry: china-dominant

Both readers go through :mod:`generator.yamlsafe` and raise
:class:`~generator.errors.ProblemsError` with every located problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date as _date
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from typing import TYPE_CHECKING

from .errors import Problem, ProblemsError, did_you_mean
from .records import Codebook, Pin

# The YAML reader (and its helpers) is imported where a sidecar or front matter is
# parsed: an article without either never needs it, and an analysis worker then
# starts without importing the parser (~10 ms).
if TYPE_CHECKING:
    from .yamlsafe import YamlDoc

#: Text fields an analyst may set, in the order they are documented.
TEXT_FIELDS = (
    "title",
    "subtitle",
    "author",
    "author_note",
    "outlet",
    "section",
    "date",
    "url",
    "republished_from",
    "summary",
)

#: Every field a sidecar or front matter may hold.
FIELDS = TEXT_FIELDS + ("positions",)

#: Accepted dates: a full ISO date, or just a year and month, or just a year.
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

#: Link schemes a ``url`` may use.
ALLOWED_URL_SCHEMES = ("http", "https")

#: The line that opens and closes front matter (``...`` may also close it).
FRONT_MATTER_OPEN = "---"
FRONT_MATTER_CLOSE = ("---", "...")

URL_SCHEME_MESSAGE = "only http(s) links are allowed"
DATE_MESSAGE = "not an ISO date: {value!r}; write YYYY-MM-DD (or YYYY-MM, or YYYY)"
POSITIONS_MESSAGE = "must be a mapping of theme id to position id (e.g. asymmetry: china-dominant), not {kind}"



def _no_lines() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Overrides:
    """Metadata given by hand; ``None`` (or no pins) means "not given".

    ``lines`` maps each given field to the line it is on in its file, and
    ``positions.<theme id>`` to the line of that pin, for located errors later.
    """

    title: str | None = None
    subtitle: str | None = None
    author: str | None = None
    author_note: str | None = None
    outlet: str | None = None
    section: str | None = None
    date: str | None = None
    url: str | None = None
    republished_from: str | None = None
    summary: str | None = None
    positions: tuple[tuple[str, str], ...] = ()
    lines: Mapping[str, int] = field(default_factory=_no_lines, compare=False, repr=False)

    def given(self) -> dict[str, str]:
        """The text fields that were given, by name."""
        return {name: getattr(self, name) for name in TEXT_FIELDS if getattr(self, name) is not None}

    def is_empty(self) -> bool:
        return not self.given() and not self.positions


def _check_date(value: str) -> bool:
    match = DATE_PATTERN.match(value)
    if not match:
        return False
    year, month, day = match.groups()
    try:
        _date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    return True


def _overrides_from(parsed: tuple[YamlDoc | None, list[Problem]]) -> Overrides:
    """Validate the parsed mapping and build :class:`Overrides`; raise on any problem."""
    from .yamlsafe import raise_problems, sort_problems, type_name, unknown_key_message

    doc, problems = parsed
    if doc is None:
        raise_problems(problems)
    assert doc is not None
    data = doc.data
    if data is None:
        raise_problems(problems)
        return Overrides()
    if not isinstance(data, dict):
        message = f"must be a mapping of fields (title: ...), not {type_name(data)}"
        raise_problems(problems + [doc.problem((), message)])
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for name, value in data.items():
        path = (name,)
        if name not in FIELDS:
            problems.append(doc.problem(path, unknown_key_message(name, FIELDS), key=True))
            continue
        if name == "positions":
            pins = _positions(doc, value, problems, lines)
            if pins:
                values[name] = pins
                lines[name] = doc.where(path, key=True)[0]
            continue
        if name == "date" and type(value) is int:
            value = str(value)  # date: 2023 is read as a number
        if value is None:
            continue
        if not isinstance(value, str):
            hint = "; quote it if it is meant as text" if isinstance(value, (int, float)) else ""
            problems.append(doc.problem(path, f"must be text, not {type_name(value)}{hint}"))
            continue
        value = value.strip()
        if not value:
            continue
        if name == "date" and not _check_date(value):
            problems.append(doc.problem(path, DATE_MESSAGE.format(value=value)))
            continue
        if name == "url":
            message = _url_problem(value)
            if message:
                problems.append(doc.problem(path, message))
                continue
        values[name] = value
        lines[name] = doc.where(path, key=True)[0]
    raise_problems(sort_problems(problems))
    return Overrides(**values, lines=MappingProxyType(lines))


def _url_problem(value: str) -> str | None:
    try:
        parts = urlsplit(value)
    except ValueError:
        return f"not a valid link: {value!r}"
    if parts.scheme.lower() not in ALLOWED_URL_SCHEMES:
        return URL_SCHEME_MESSAGE
    if not parts.netloc or any(ch.isspace() for ch in value):
        return f"not a valid link: {value!r}"
    return None


def _positions(doc: YamlDoc, value: Any, problems: list[Problem], lines: dict[str, int]) -> tuple[tuple[str, str], ...]:
    from .yamlsafe import type_name

    path = ("positions",)
    if value is None:
        return ()
    if not isinstance(value, dict):
        problems.append(doc.problem(path, POSITIONS_MESSAGE.format(kind=type_name(value))))
        return ()
    pins = []
    for theme_id, position_id in value.items():
        ppath = path + (theme_id,)
        if not isinstance(position_id, str) or not position_id.strip():
            kind = "empty text" if isinstance(position_id, str) else type_name(position_id)
            problems.append(doc.problem(ppath, f"must be a position id (text), not {kind}"))
            continue
        theme_id = theme_id.strip()
        pins.append((theme_id, position_id.strip()))
        lines[f"positions.{theme_id}"] = doc.where(ppath, key=True)[0]
    return tuple(pins)


def load_sidecar(path: Path, display_name: str) -> Overrides:
    """Read the sidecar at ``path``; problems name the file as ``display_name``.

    A sidecar that does not exist gives empty :class:`Overrides`.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return Overrides()
    except OSError as err:
        raise ProblemsError([Problem(display_name, None, None, "", f"cannot read: {err.strerror}")]) from None
    from .yamlsafe import parse_yaml

    return _overrides_from(parse_yaml(raw, display_name))


def split_front_matter(text: str, display_name: str) -> tuple[Overrides, str, int]:
    """Split YAML front matter off a Markdown text.

    Returns ``(overrides, body, lines_before_body)``: the body is the text after
    the closing ``---`` line and ``lines_before_body`` how many lines precede it,
    so body line ``n`` is file line ``n + lines_before_body``. Text that does not
    start with a ``---`` line has no front matter: ``(Overrides(), text, 0)``.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].removeprefix("\ufeff").rstrip() != FRONT_MATTER_OPEN:
        return Overrides(), text, 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() in FRONT_MATTER_CLOSE:
            from .yamlsafe import parse_yaml

            yaml_text = "".join(lines[1:index])
            parsed = parse_yaml(yaml_text, display_name, line_offset=1)
            return _overrides_from(parsed), "".join(lines[index + 1 :]), index + 1
    raise ProblemsError(
        [Problem(display_name, 1, 1, "", "front matter opened with '---' is never closed by a '---' line")]
    )


def pin_problems(pins: Iterable[Pin], codebook: Codebook) -> list[Problem]:
    """Problems with pinned positions that name no theme, or no position of their theme.

    Each problem is located on the pin's line in its sidecar or front matter.
    """
    problems = []
    theme_ids = [t.id for t in codebook.themes]
    for pin in pins:
        theme = codebook.theme(pin.theme)
        if theme is None:
            message = f"unknown theme '{pin.theme}'{did_you_mean(pin.theme, theme_ids)}"
        elif theme.position(pin.position) is None:
            choices = [p.id for p in theme.positions]
            if not choices:
                message = f"theme '{pin.theme}' has no positions to pin"
            else:
                hint = did_you_mean(pin.position, choices) or f"; expected one of: {', '.join(choices)}"
                message = f"theme '{pin.theme}' has no position '{pin.position}'{hint}"
        else:
            continue
        problems.append(Problem(pin.file, pin.line, None, f"positions.{pin.theme}", message))
    return problems


def pins_of(overrides: Overrides, display_name: str) -> tuple[Pin, ...]:
    """The overrides' pinned positions as located :class:`Pin` records."""
    return tuple(
        Pin(theme, position, display_name, overrides.lines.get(f"positions.{theme}"))
        for theme, position in overrides.positions
    )
