"""Compose a YAML document into plain data, remembering where every key and value was written.

:class:`Loader` composes the node tree without ever expanding an anchor or an
alias (so composition stays linear in the input size); :class:`Builder` turns
that tree into plain Python values, records the (line, column) of each key and
value by its key path, and collects a located problem for everything a
hand-written file gets wrong: duplicate keys, YAML 1.1 booleans (``yes``,
``off``...), base-60 and octal numbers, anchors and aliases, merge keys,
non-text keys and non-standard tags. :mod:`yamlsafe` is the reader that
callers use; it runs these two on decoded text.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem

#: Plain scalars that YAML 1.1 reads as booleans although people mean the word
#: (``true``/``false`` are fine). Compared case-insensitively.
YAML11_BOOLEAN_WORDS = frozenset({"yes", "no", "on", "off", "y", "n"})

BOOLEAN_MESSAGE = "read as a boolean by YAML; quote it if you mean the word"
ALIAS_MESSAGE = "aliases are not supported; write the value out in full"
ANCHOR_MESSAGE = "anchors and aliases are not supported; remove the anchor and write values out in full"
SEXAGESIMAL_MESSAGE = "read as a base-60 number by YAML (1:30 is 90); quote it if you mean the text"
OCTAL_MESSAGE = "read as an octal number by YAML (010 is 8); quote it if you mean the text"

_YAML = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_YAML + t for t in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _SEQ, _MAP = _YAML + "timestamp", _YAML + "seq", _YAML + "map"
_MERGE, _VALUE = _YAML + "merge", _YAML + "value"
_ALIAS_TAG = "!briefing/alias"  # stand-in for an alias; never produced by a document

_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")  # YAML 1.1 octal: a leading zero

KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """Render a value path as a dotted key: ``("themes", 2, "id")`` -> ``themes[2].id``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class Loader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors and aliases instead of expanding them.

    An alias becomes a stand-in scalar tagged :data:`_ALIAS_TAG`, and anchored
    nodes are remembered, so the builder can report both with their key path.
    Nothing is ever expanded, so composition stays linear in the input size.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.anchored: dict[int, str] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # noqa: D102
        if self.check_event(AliasEvent):
            event = self.get_event()
            return ScalarNode(_ALIAS_TAG, event.anchor, event.start_mark, event.end_mark)
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        event.anchor = None  # so a repeated anchor name is not a composer error
        node = Composer.compose_node(self, parent, index)
        if anchor is not None:
            self.anchored[id(node)] = anchor
        return node


class Builder:
    """Turns a composed node tree into plain data, recording positions and problems."""

    def __init__(self, filename: str, line_offset: int, anchored: dict[int, str]):
        self.anchored = anchored
        self.filename = filename
        self.line_offset = line_offset
        self.values: dict[KeyPath, tuple[int, int]] = {}
        self.keys: dict[KeyPath, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self._constructor = SafeConstructor()

    def pos(self, mark: Any) -> tuple[int, int]:
        return mark.line + 1 + self.line_offset, mark.column + 1

    def report(self, mark: Any, path: KeyPath, message: str) -> None:
        line, column = self.pos(mark)
        self.problems.append(Problem(self.filename, line, column, format_path(path), message))

    def build(self, node: Node, path: KeyPath) -> Any:
        self.values.setdefault(path, self.pos(node.start_mark))  # a duplicate key's first value wins
        if id(node) in self.anchored:
            self.report(node.start_mark, path, f"{ANCHOR_MESSAGE} (found &{self.anchored[id(node)]})")
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                self.report(node.start_mark, path, _tag_message(node.tag))
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        if node.tag != _MAP:
            self.report(node.start_mark, path, _tag_message(node.tag))
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, path)
            if key is None:
                self.build(value_node, path + ("?",))  # still check what is inside
                continue
            here = self.pos(key_node.start_mark)
            if key in first_line:
                self.report(
                    key_node.start_mark,
                    path + (key,),
                    f"duplicate key '{key}' (first defined at line {first_line[key]}); "
                    "YAML would silently keep only the last one",
                )
                self.build(value_node, path + (key,))
                continue
            first_line[key] = here[0]
            self.keys[path + (key,)] = here
            result[key] = self.build(value_node, path + (key,))
        return result

    def key(self, node: Node, path: KeyPath) -> str | None:
        """The key as a string, or ``None`` (with a problem) if it is not one."""
        if isinstance(node, ScalarNode):
            if node.tag == _ALIAS_TAG:
                self.report(node.start_mark, path, f"{ALIAS_MESSAGE} (found *{node.value})")
                return None
            if node.tag == _STR or node.tag == _TIMESTAMP or node.tag == _VALUE:
                if node.style is None and node.value.lower() in YAML11_BOOLEAN_WORDS:
                    self.report(node.start_mark, path + (node.value,), BOOLEAN_MESSAGE)
                    return None
                return node.value
            if node.tag == _BOOL and node.style is None and node.value.lower() in YAML11_BOOLEAN_WORDS:
                self.report(node.start_mark, path + (node.value,), BOOLEAN_MESSAGE)
                return None
            if node.tag == _MERGE:
                self.report(node.start_mark, path, "merge keys ('<<') are not supported")
                return None
            kind = {_INT: "a number", _FLOAT: "a number", _BOOL: "a boolean", _NULL: "empty"}.get(node.tag)
            if kind == "empty":
                self.report(node.start_mark, path, "a key is empty; every key needs a name")
            elif kind:
                self.report(
                    node.start_mark, path, f"keys must be text, but {node.value!r} is {kind}; quote it"
                )
            else:
                self.report(node.start_mark, path, _tag_message(node.tag))
            return None
        kind = "a list" if isinstance(node, SequenceNode) else "a mapping"
        self.report(node.start_mark, path, f"keys must be text, not {kind}")
        return None

    def scalar(self, node: ScalarNode, path: KeyPath) -> Any:
        tag, value = node.tag, node.value
        if tag == _ALIAS_TAG:
            self.report(node.start_mark, path, f"{ALIAS_MESSAGE} (found *{value})")
            return None
        if tag in (_STR, _VALUE):
            if node.style is None and value.lower() in YAML11_BOOLEAN_WORDS:
                self.report(node.start_mark, path, BOOLEAN_MESSAGE)
            return value
        if tag == _TIMESTAMP:
            return value  # keep the ISO text the user wrote, not a datetime.date
        if tag == _BOOL:
            if value.lower() in YAML11_BOOLEAN_WORDS:
                self.report(node.start_mark, path, BOOLEAN_MESSAGE)
                return value
            return value.lower() == "true"
        if tag == _NULL:
            return None
        if tag in (_INT, _FLOAT):
            if ":" in value:
                self.report(node.start_mark, path, SEXAGESIMAL_MESSAGE)
                return value
            if _OCTAL.match(value):
                self.report(node.start_mark, path, OCTAL_MESSAGE)
                return value
            try:
                return self._constructor.construct_object(node, deep=True)
            except (ConstructorError, ValueError) as err:
                self.report(node.start_mark, path, f"not a valid number: {err}")
                return value
        if tag == _MERGE:
            self.report(node.start_mark, path, "merge keys ('<<') are not supported")
            return value
        self.report(node.start_mark, path, _tag_message(tag))
        return value


def _tag_message(tag: str) -> str:
    shown = "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag
    return f"the tag '{shown}' is not allowed; only plain text, numbers, booleans, lists and mappings are"
