"""Load and validate the themes codebook (``themes.yml``) into a :class:`Codebook`.

The codebook lists the themes the briefing compares articles on. Each theme has
cues (phrases or explicit regular expressions) that find the sentences where an
article addresses it, and optionally positions (the stances an article can take
on the theme), each with cues of its own. See ``themes.schema.json`` for the
shape, and :func:`load_codebook` for the checks.

Phrase cues are matched on word stems: "sanction" finds "sanctions" and
"sanctioned", but "war" never finds "warm" or "award" (see :mod:`cues`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .cues import CUE_WORD_SPLIT, LazyCuePattern, compile_regex_cue
from .errors import Problem, ProblemsError, did_you_mean
from .records import Codebook, Cue, Position, Theme
from .yamlsafe import (
    YamlDoc,
    parse_yaml,
    raise_problems,
    sort_problems,
    type_name,
    unknown_key_message,
)

#: Theme and position ids: lowercase letters and digits in hyphen-separated runs.
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

#: Codebook format versions this code understands.
SUPPORTED_VERSIONS = (1,)

TOP_LEVEL_KEYS = ("version", "themes")
THEME_KEYS = ("id", "title", "description", "cues", "related", "positions")
THEME_REQUIRED = ("id", "title", "description", "cues")
POSITION_KEYS = ("id", "label", "cues", "description")
POSITION_REQUIRED = ("id", "label", "cues")
REGEX_CUE_KEYS = ("re",)


def _suggest_id(value: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", value.lower()))


class _Checker:
    """Walks the parsed codebook, collecting problems and building records."""

    def __init__(self, doc: YamlDoc):
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, key=key))

    def mapping(self, value: Any, path: tuple, allowed: tuple[str, ...], required: tuple[str, ...]) -> bool:
        """Check that ``value`` is a mapping with known keys and the required ones."""
        if not isinstance(value, dict):
            self.add(path, f"must be a mapping, not {type_name(value)}")
            return False
        for key in value:
            if key not in allowed:
                self.add(path + (key,), unknown_key_message(key, allowed), key=True)
        for key in required:
            if key not in value:
                self.add(path + (key,), f"missing required key '{key}'")
        return True

    def text(self, data: dict, path: tuple, name: str) -> str | None:
        """A required or optional text field, stripped; ``None`` if absent or wrong."""
        if name not in data:
            return None
        value = data[name]
        if not isinstance(value, str):
            self.add(path + (name,), f"must be text, not {type_name(value)}")
            return None
        value = value.strip()
        if not value:
            self.add(path + (name,), "must not be empty")
            return None
        return value

    def ident(self, data: dict, path: tuple) -> str | None:
        value = self.text(data, path, "id")
        if value is not None and not ID_PATTERN.match(value):
            suggestion = _suggest_id(value)
            hint = f" (e.g. '{suggestion}')" if suggestion else ""
            self.add(
                path + ("id",),
                f"'{value}' is not a valid id: use lowercase letters, digits and single hyphens{hint}",
            )
            return None
        return value

    def cues(self, data: dict, path: tuple) -> tuple[Cue, ...]:
        if "cues" not in data:
            return ()
        value, path = data["cues"], path + ("cues",)
        if not isinstance(value, list):
            self.add(path, f"must be a list of cues, not {type_name(value)}")
            return ()
        if not value:
            self.add(path, "must list at least one cue")
            return ()
        cues = []
        for i, item in enumerate(value):
            cue = self.cue(item, path + (i,))
            if cue is not None:
                cues.append(cue)
        return tuple(cues)

    def cue(self, item: Any, path: tuple) -> Cue | None:
        if isinstance(item, str):
            text = item.strip()
            if not any(CUE_WORD_SPLIT.split(text)):
                self.add(path, "a cue must contain at least one word")
                return None
            return Cue(text, LazyCuePattern(text), is_regex=False)
        if isinstance(item, dict):
            if not self.mapping(item, path, REGEX_CUE_KEYS, REGEX_CUE_KEYS) or "re" not in item:
                return None
            source = item["re"]
            if not isinstance(source, str) or not source.strip():
                what = "empty text" if isinstance(source, str) else type_name(source)
                self.add(path + ("re",), f"must be a regular expression (text), not {what}")
                return None
            try:
                return Cue(source, compile_regex_cue(source), is_regex=True)
            except re.error as err:
                where = f" at position {err.pos}" if err.pos is not None else ""
                self.add(path + ("re",), f"regular expression does not compile: {err.msg}{where}")
                return None
        self.add(path, f"a cue must be a phrase (text) or {{re: pattern}}, not {type_name(item)}")
        return None

    def position(self, item: Any, path: tuple) -> Position | None:
        if not self.mapping(item, path, POSITION_KEYS, POSITION_REQUIRED):
            return None
        pid = self.ident(item, path)
        label = self.text(item, path, "label")
        description = self.text(item, path, "description")
        cues = self.cues(item, path)
        if pid is None or label is None or not cues:
            return None
        return Position(pid, label, cues, description)

    def theme(self, item: Any, path: tuple) -> tuple[Theme | None, list[tuple[str, tuple]]]:
        """One theme (``None`` if broken) and its ``related`` entries with their paths."""
        if not self.mapping(item, path, THEME_KEYS, THEME_REQUIRED):
            return None, []
        tid = self.ident(item, path)
        title = self.text(item, path, "title")
        description = self.text(item, path, "description")
        cues = self.cues(item, path)
        related: list[tuple[str, tuple]] = []
        if "related" in item:
            value = item["related"]
            if not isinstance(value, list):
                self.add(path + ("related",), f"must be a list of theme ids, not {type_name(value)}")
            else:
                for j, rid in enumerate(value):
                    if isinstance(rid, str) and rid.strip():
                        related.append((rid.strip(), path + ("related", j)))
                    else:
                        self.add(path + ("related", j), f"must be a theme id, not {type_name(rid)}")
        positions: list[Position] = []
        if "positions" in item:
            value = item["positions"]
            if not isinstance(value, list):
                self.add(path + ("positions",), f"must be a list of positions, not {type_name(value)}")
            else:
                seen: dict[str, int] = {}
                for j, entry in enumerate(value):
                    ppath = path + ("positions", j)
                    position = self.position(entry, ppath)
                    if position is None:
                        continue
                    if position.id in seen:
                        self.add(
                            ppath + ("id",),
                            f"duplicate position id '{position.id}' in theme '{tid or '?'}' "
                            f"(first used at line {seen[position.id]})",
                        )
                        continue
                    seen[position.id] = self.doc.where(ppath + ("id",))[0]
                    positions.append(position)
        if tid is None or title is None or description is None or not cues:
            return None, related
        theme = Theme(tid, title, description, cues, tuple(r for r, _ in related), tuple(positions))
        return theme, related

    def codebook(self, source: str) -> Codebook:
        data = self.doc.data
        if data is None:
            self.add((), "the codebook is empty; it needs a 'themes' list")
            return Codebook((), source)
        if not self.mapping(data, (), TOP_LEVEL_KEYS, ("themes",)):
            return Codebook((), source)
        if "version" in data:
            version = data["version"]
            if type(version) is not int or version not in SUPPORTED_VERSIONS:
                supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
                self.add(("version",), f"unsupported codebook version {version!r}; supported: {supported}")
        themes_value = data.get("themes")
        if "themes" not in data:
            return Codebook((), source)
        if not isinstance(themes_value, list):
            self.add(("themes",), f"must be a list of themes, not {type_name(themes_value)}")
            return Codebook((), source)
        if not themes_value:
            self.add(("themes",), "must list at least one theme")
            return Codebook((), source)

        themes: list[Theme] = []
        first_line: dict[str, int] = {}
        all_ids: set[str] = set()
        related_refs: list[tuple[str, str | None, tuple]] = []
        for i, item in enumerate(themes_value):
            path = ("themes", i)
            theme, related = self.theme(item, path)
            tid = item.get("id") if isinstance(item, dict) else None
            tid = tid.strip() if isinstance(tid, str) else None
            if tid and ID_PATTERN.match(tid):
                if tid in first_line:
                    self.add(path + ("id",), f"duplicate theme id '{tid}' (first used at line {first_line[tid]})")
                    theme = None
                else:
                    first_line[tid] = self.doc.where(path + ("id",))[0]
                all_ids.add(tid)
            related_refs.extend((rid, tid, rpath) for rid, rpath in related)
            if theme is not None:
                themes.append(theme)
        for rid, tid, rpath in related_refs:
            if rid == tid:
                self.add(rpath, "a theme cannot be related to itself")
            elif rid not in all_ids:
                hint = did_you_mean(rid, sorted(all_ids))
                self.add(rpath, f"unknown theme '{rid}'{hint}")
        return Codebook(tuple(themes), source)


def load_codebook(path: Path, raw: bytes | None = None) -> Codebook:
    """Read, validate and compile the codebook at ``path`` (whose bytes are ``raw``, if the
    caller has read them already).

    Raises :class:`ProblemsError` listing every problem found, each located as
    ``file:line:column: key: message`` with the file named as ``path`` was given.
    """
    source = str(path)
    try:
        raw = Path(path).read_bytes() if raw is None else raw
    except OSError as err:
        raise ProblemsError([Problem(source, None, None, "", f"cannot read the codebook: {err.strerror}")]) from None
    if _LAST.get((source, raw)) is not None:
        return _LAST[(source, raw)]
    doc, problems = parse_yaml(raw, source)
    if doc is None:
        raise_problems(problems)
    checker = _Checker(doc)
    codebook = checker.codebook(source)
    raise_problems(sort_problems(problems + checker.problems))
    _LAST.clear()
    _LAST[(source, raw)] = codebook
    return codebook


# The codebook last loaded without problems, by file name and bytes: the rebuilds of
# ``briefing serve`` (a pipeline.Session) re-read the file but parse it only when it
# changed. A Codebook is immutable, so handing out the same one is safe.
_LAST: dict[tuple[str, bytes], Codebook] = {}


__all__ = [
    "ID_PATTERN",
    "load_codebook",
]
