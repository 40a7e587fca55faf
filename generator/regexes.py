"""Regular expressions of the analysis, compiled from programs a build kept.

The analysis modules compile ~80 regular expressions when they are imported, ~28 ms
on this project's machine (quote attribution alone ~16 ms). A rebuild that
analyses one article imports them in its worker process, and waits for it: that
import was most of the worker's time. CPython compiles a pattern in two steps:
the :mod:`re` package parses it and generates the program of its matching engine
(in Python: nearly all of the time), then ``_sre.compile`` makes the pattern
object from that program (in C: microseconds). :func:`compile` keeps the programs
it generates (:func:`programs`), which the build saves in its cache folder
(:func:`buildstate.save_built`, from the worker's first result), and makes the
patterns of a later run from the programs it is given (:func:`adopt`, see
:func:`worker.init`).

The two steps are CPython's own internals (``re._parser``, ``re._compiler``,
``_sre``), used as ``re._compiler.compile`` uses them. Programs are kept per
interpreter (:func:`interpreter`: its version and the engine's ``MAGIC``), and
``_sre.compile`` checks a program before accepting it (an invalid one raises). Any
failure, or an interpreter without these internals, falls back to
:func:`re.compile`. Either way the pattern is the same: equal (``==`` compares
programs) to what :func:`re.compile` makes, which tests/test_regexes.py checks for
every pattern the analysis compiles.
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
# indexgroup), with the code as plain ints (the generator's are named constants).
Program = tuple
_given: dict[tuple[str, int], Program] = {}  # adopted from a build's cache
_made: dict[tuple[str, int], Program] = {}  # the programs of the patterns compiled here
_fresh: set[tuple[str, int]] = set()  # those of them generated here (not adopted)


def interpreter() -> tuple:
    """What programs are valid for: this interpreter's version and regular-expression engine."""
    if _sre is None:  # pragma: no cover - not CPython
        return (sys.version, None)
    return (sys.implementation.cache_tag, sys.version, _sre.MAGIC, _sre.CODESIZE)


def compile(pattern: str, flags: int = 0) -> re.Pattern:  # noqa: A001 - re.compile's name, on purpose
    """``re.compile(pattern, flags)``, from the adopted program if there is one."""
    key = (pattern, int(flags))
    program = _given.get(key)
    if program is not None and program[0] == pattern:
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


def adopt(programs: object) -> None:
    """Use ``programs`` (what :func:`programs` returned in an earlier run, with the same
    :func:`interpreter`) for the patterns compiled from now on."""
    if isinstance(programs, dict):
        _given.update(programs)


def programs(missing: bool = False) -> dict[tuple[str, int], Program] | None:
    """The programs of every pattern compiled in this process so far, if any of them was
    generated here and not adopted since, or if ``missing`` (the store was not found);
    None: there is nothing new to keep."""
    if (missing and _made) or any(_given.get(key) != _made[key] for key in _fresh):
        return dict(_made)
    return None
