"""Regular expressions of the analysis, compiled from programs a build kept.

The analysis modules compile ~70 regular expressions when they are imported, ~28 ms
on this project's machine (quote attribution alone ~16 ms). A rebuild that
analyses one article imports them in its worker process, and waits for it: that
import was most of the worker's time. CPython compiles a pattern in two steps:
the :mod:`re` package parses it and generates the program of its matching engine
(in Python: nearly all of the time), then ``_sre.compile`` makes the pattern
object from that program (in C: microseconds). :func:`compile` keeps the programs
it generates (:func:`programs`), which the build saves in its cache folder
(:func:`buildstate.save_built`, from the worker's first result), and makes the
patterns of a later run from the programs it is given (:func:`adopt`, see
:func:`worker.init`). Only the modules whose patterns cost go through it (quote
attribution, excerpts, page furniture, header lines, sentences, entity forms,
blocks); the ~15 other patterns of the analysis take ~1 ms together.

The two steps are CPython's own internals (``re._parser``, ``re._compiler``,
``_sre``), used as ``re._compiler.compile`` uses them (the same in 3.11, 3.12 and
3.13). Programs are kept per interpreter (:func:`interpreter`: its version and the
engine's ``MAGIC``), a program is used only for the pattern and flags it was made
from, and ``_sre.compile`` checks a program before accepting it (an invalid one
raises). Any failure, or an interpreter without these internals, falls back to
:func:`re.compile`. Either way the pattern is the same: equal (``==`` compares
programs) to what :func:`re.compile` makes, which tests/test_regexes.py checks for
every pattern the analysis compiles, made either way.
"""

from __future__ import annotations

import re
import sys

try:
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - not CPython
    _sre = None  # type: ignore[assignment]

# A program: the arguments of _sre.compile (pattern, flags, code, groups, groupindex,
# indexgroup), with the code as plain ints (the code generator's are named constants).
Program = tuple[str, int, list[int], int, dict[str, int], tuple[str | None, ...]]
Key = tuple[str, int]  # a pattern and the flags it is compiled with
_given: dict[Key, Program] = {}  # adopted from a build's cache
_made: dict[Key, Program] = {}  # the programs of the patterns compiled here
_fresh: set[Key] = set()  # those of them generated here (not adopted)


def interpreter() -> tuple:
    """What programs are valid for: this interpreter's version and regular-expression engine."""
    if _sre is None:  # pragma: no cover - not CPython
        return (sys.version, None)
    return (sys.implementation.cache_tag, sys.version, _sre.MAGIC, _sre.CODESIZE)


def compile(pattern: str, flags: int = 0) -> re.Pattern:  # noqa: A001 - re.compile's name, on purpose
    """``re.compile(pattern, flags)``, from the adopted program if there is one."""
    key = (pattern, int(flags))
    program = _given.get(key)
    if program is not None:
        try:
            compiled = _sre.compile(*program)
        except Exception:  # noqa: BLE001 - a program this interpreter refuses: compiled anew
            compiled = None
        if compiled is not None:
            _made[key] = program
            return compiled
    try:
        program = _program(pattern, int(flags))
        compiled = _sre.compile(*program)
    except Exception:  # noqa: BLE001 - other internals: the public way, not kept
        return re.compile(pattern, flags)
    _made[key] = program
    _fresh.add(key)
    return compiled


def _program(pattern: str, flags: int) -> Program:
    """What ``re._compiler.compile`` passes to ``_sre.compile`` for ``pattern``."""
    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (pattern, flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup))


def _fits(key: object, program: object) -> bool:
    """Whether ``program`` has a program's shape and was made from ``key``'s pattern and
    flags (a damaged or foreign store is ignored, entry by entry)."""
    return (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str) and isinstance(key[1], int)
            and isinstance(program, tuple) and len(program) == 6 and program[0] == key[0]
            and isinstance(program[1], int) and program[1] & key[1] == key[1] and isinstance(program[2], list))


def adopt(programs: object) -> None:
    """Use ``programs`` (what :func:`programs` returned in an earlier run, with the same
    :func:`interpreter`) for the patterns compiled from now on; entries that are not
    programs of their pattern and flags are ignored."""
    if isinstance(programs, dict):
        _given.update((key, program) for key, program in programs.items() if _fits(key, program))


def programs(missing: bool = False) -> dict[Key, Program] | None:
    """The programs of every pattern compiled in this process so far, if any of them was
    generated here and not adopted since, or if ``missing`` (the caller found no store to
    adopt); None: there is nothing new to keep."""
    if (missing and _made) or any(_given.get(key) != _made[key] for key in _fresh):
        return dict(_made)
    return None
