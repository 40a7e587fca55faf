"""The one safe YAML reader: the codebook, sidecars and front matter all go through here.

:func:`load_yaml` turns YAML text into plain Python values (``dict``, ``list``,
``str``, ``int``, ``float``, ``bool``, ``None``) and remembers where every value
and key was written, so callers can report located problems. It is stricter than
``yaml.safe_load`` in the ways that bite hand-written files:

* every problem found is collected and raised together as one
  :class:`~generator.errors.ProblemsError`;
* duplicate keys are an error (PyYAML silently keeps the last one);
* plain ``yes``/``no``/``on``/``off``/``y``/``n`` are refused, because YAML 1.1
  reads them as booleans;
* anchors and aliases are refused, which also defuses "billion laughs" bombs;
* only the standard scalar, list and mapping tags are accepted (no ``!!python/...``);
* dates stay the ISO strings the user wrote (``2023-03-22`` is not a ``date``);
* files over :data:`MAX_YAML_BYTES` and bytes that are not UTF-8 are refused
  before parsing; a UTF-8 byte order mark is accepted.

The composing and checking of the node tree is in :mod:`yamlcompose`; this
module decodes, parses, reports syntax errors in plain words, and holds the
small helpers shared by the validators of YAML inputs (codebook, overrides).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import yaml

from .errors import Problem, ProblemsError, did_you_mean
from .yamlcompose import ALIAS_MESSAGE, Builder, KeyPath, Loader, format_path

#: Files larger than this are refused before parsing (1 MiB).
MAX_YAML_BYTES = 1024 * 1024

#: At most this many problems are reported for one file; the rest are counted.
MAX_REPORTED_PROBLEMS = 50

TAB_MESSAGE = "a tab is used for indentation; YAML indentation must use spaces"

_BLOCK_END = re.compile(r"expected <block end>, but found '?(.*?)'?$")


@dataclass(frozen=True)
class YamlDoc:
    """Parsed YAML: plain data plus where each value and key was written."""

    data: Any
    filename: str
    values: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict, repr=False)
    keys: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict, repr=False)

    def where(self, path: KeyPath, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at ``path`` (of its key with ``key=True``).

        A path that does not exist (a missing key, say) falls back to its
        nearest existing parent, so a problem can always be located.
        """
        path = tuple(path)
        if key and path in self.keys:
            return self.keys[path]
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, (1, 1))

    def problem(self, path: KeyPath, message: str, *, key: bool = False) -> Problem:
        """A :class:`Problem` located at ``path`` (its key with ``key=True``)."""
        line, column = self.where(path, key=key)
        return Problem(self.filename, line, column, format_path(path), message)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _decode(raw: bytes, filename: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 (BOM allowed); locate every invalid byte sequence."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    problems, start = [], 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    pos = start
    while pos < len(raw) and len(problems) < MAX_REPORTED_PROBLEMS:
        try:
            raw[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as err:
            bad = pos + err.start
            before = raw[start:bad].decode("utf-8", errors="replace")
            line, column = _line_col(before, len(before))
            problems.append(
                Problem(filename, line, column, "", f"not valid UTF-8 (byte 0x{raw[bad]:02x}); save the file as UTF-8")
            )
            pos = pos + err.end
    return None, problems


def _syntax_problem(err: yaml.YAMLError, text: str, filename: str, line_offset: int) -> list[Problem]:
    """Turn a PyYAML scanner/parser error into located, human problems."""
    problem = getattr(err, "problem", None) or ""
    mark = getattr(err, "problem_mark", None)
    context = getattr(err, "context", None) or ""
    context_mark = getattr(err, "context_mark", None)

    def at(m: Any, message: str) -> Problem:
        if m is None:
            return Problem(filename, None, None, "", message)
        return Problem(filename, m.line + 1 + line_offset, m.column + 1, "", message)

    if isinstance(err, yaml.reader.ReaderError):
        line, column = _line_col(text, err.position)
        return [
            Problem(
                filename,
                line + line_offset,
                column,
                "",
                f"the control character U+{err.character:04X} is not allowed in YAML",
            )
        ]
    # Tabs in indentation: report every such line up to the error, each located.
    error_line = mark.line if mark is not None else len(text.splitlines())
    tabs = []
    for number, line in enumerate(text.splitlines()[: error_line + 1]):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            tabs.append(Problem(filename, number + 1 + line_offset, indent.index("\t") + 1, "", TAB_MESSAGE))
    if tabs:
        return tabs
    if problem.startswith("found character '\\t'"):
        return [at(mark, "a tab is not allowed here; use spaces")]
    if problem == "mapping values are not allowed here":
        return [
            at(
                mark,
                "unexpected ':' here; check this line's indentation against the line above, "
                "or quote a value that contains ': '",
            )
        ]
    found = _BLOCK_END.match(problem)
    if found:
        start = f" that starts at line {context_mark.line + 1 + line_offset}" if context_mark else ""
        what = "a list item '-'" if found.group(1) == "-" else "this line"
        return [at(mark, f"wrong indentation: {what} does not line up with the block{start}")]
    if problem == "could not find expected ':'":
        return [at(context_mark or mark, "expected 'key: value'; this line has no ':' (or a quote is not closed)")]
    if problem == "found unexpected end of stream" and "quoted scalar" in context:
        return [at(context_mark or mark, "this quote is never closed")]
    if "expected a single document" in context:
        return [at(mark, "only one YAML document is allowed; remove the second '---'")]
    if problem.startswith("found undefined alias"):
        return [at(mark, ALIAS_MESSAGE)]
    detail = problem or str(err)
    if context and context_mark is not None:
        detail += f" ({context} at line {context_mark.line + 1 + line_offset})"
    elif context:
        detail += f" ({context})"
    return [at(mark, f"YAML syntax error: {detail}")]


def parse_yaml(text: str | bytes, filename: str, *, line_offset: int = 0) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse like :func:`load_yaml`, but return the problems instead of raising.

    The document is ``None`` when the input could not be parsed at all (size,
    encoding, syntax). Otherwise it is returned even when there are problems
    (duplicate keys keep their first value, refused aliases read as ``None``,
    suspicious booleans stay text), so a validator can add its own problems and
    report everything in one run.
    """
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_YAML_BYTES:
        message = f"file is too large ({size} bytes); YAML files may be at most {MAX_YAML_BYTES} bytes (1 MiB)"
        return None, [Problem(filename, None, None, "", message)]
    if isinstance(text, bytes):
        decoded, problems = _decode(text, filename)
        if decoded is None:
            return None, problems
        text = decoded
    text = text.removeprefix("\ufeff")

    loader = None
    try:
        loader = Loader(text)
        root = loader.get_single_node()
    except yaml.YAMLError as err:
        return None, _syntax_problem(err, text, filename, line_offset)
    except RecursionError:
        return None, [Problem(filename, None, None, "", "the YAML is nested too deeply")]
    finally:
        if loader is not None:
            loader.dispose()

    builder = Builder(filename, line_offset, loader.anchored)
    data = None if root is None else builder.build(root, ())
    if root is None:
        builder.values[()] = (1 + line_offset, 1)
    doc = YamlDoc(data, filename, MappingProxyType(builder.values), MappingProxyType(builder.keys))
    return doc, sort_problems(builder.problems)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in file order (unlocated ones first)."""
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0))


def raise_problems(problems: list[Problem]) -> None:
    """Raise :class:`ProblemsError` if there are problems, at most :data:`MAX_REPORTED_PROBLEMS` shown."""
    if problems:
        if len(problems) > MAX_REPORTED_PROBLEMS:
            hidden = len(problems) - MAX_REPORTED_PROBLEMS
            extra = Problem(problems[0].file, None, None, "", f"{hidden} more problems not shown")
            problems = list(problems[:MAX_REPORTED_PROBLEMS]) + [extra]
        raise ProblemsError(problems)


def load_yaml(text: str | bytes, filename: str, *, line_offset: int = 0) -> YamlDoc:
    """Parse one YAML document safely; raise :class:`ProblemsError` listing every problem.

    ``line_offset`` is added to every reported line (for YAML embedded in a
    larger file, such as Markdown front matter).
    """
    doc, problems = parse_yaml(text, filename, line_offset=line_offset)
    raise_problems(problems)
    assert doc is not None
    return doc


# ---------------------------------------------------------------------------
# Small helpers shared by the validators of YAML inputs (codebook, overrides).


def type_name(value: Any) -> str:
    """How a YAML value's type is named in messages: ``"text"``, ``"a list"``..."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def unknown_key_message(key: str, allowed: Any) -> str:
    """The message for a key that is not one of ``allowed``."""
    hint = did_you_mean(key, allowed)
    if not hint:
        hint = "; expected one of: " + ", ".join(allowed)
    return f"unknown key '{key}'{hint}"
