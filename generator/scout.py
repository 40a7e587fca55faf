"""A rebuild's first steps, taken by a scout: a child forked as the build starts.

A build first lists, stats and fingerprints its inputs and compares them with the last
build's (:func:`survey_and_stamp`: is ``docs/`` up to date?), then finds what the cache
lacks and has a worker analyse it. For a rebuild of many articles, :func:`scouting` forks
a child that takes those steps (:func:`_scout`) while the build imports Jinja, which it
needs next: the build then reads what the scout found (:func:`checked_inputs`) and takes
the outcome of the one article it analysed (:func:`work.analyse_ahead`) instead of forking
a worker of its own. Last, the scout makes the writer's checks of ``docs/`` that do not
depend on the pages (:func:`site.precheck`), which the build reads before writing
(:func:`prechecked`). If the scout fails before the build takes its analysis, or finds
other work than the build does, the build stops it and does the rest itself, as without
one; once the build has taken its analysis, a scout that fails while analysing fails the
build, as a worker would.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from . import buildstate, forked
from .errors import ProblemsError
from .site import Prechecked
from .sources import Survey, check_seeds, survey

if TYPE_CHECKING:
    from .pipeline import Settings, Warm

log = logging.getLogger(__name__)


# A rebuild of at least this many articles (as many as the last build had) is scouted:
# below, the checks the scout takes over are short (~1 ms per 100 articles on this
# project's 2-core machine), and a build that finds nothing changed pays for the scout.
SCOUT_MIN_ARTICLES = 500


@contextmanager
def scouting(settings: Settings, write: bool, warm: Warm | None,
             last: buildstate.LastBuild | None) -> Iterator[forked.Ahead | None]:
    """The scout of a rebuild of many articles (see :func:`_scout`), if it has one: never in a
    long-lived session (``briefing serve`` has Jinja imported already), nor without a second
    core or ``fork``."""
    if not (write and (warm is None or warm.one_shot) and last is not None and settings.processes >= 2
            and forked.available() and getattr(last.result, "articles", 0) >= SCOUT_MIN_ARTICLES):
        yield None
        return
    with ExitStack() as stack:
        try:
            scout: forked.Ahead | None = stack.enter_context(
                forked.ahead(functools.partial(_scout, settings, write, last)))
        except OSError:  # no process to be had: the build checks and analyses itself
            scout = None
        yield scout


def _scout(settings: Settings, write: bool, last: buildstate.LastBuild | None,
           send: Callable[[object], None]) -> None:
    """What a rebuild's scout does, in a child forked as the build starts, while the build
    imports Jinja: it lists, stats and fingerprints the inputs and sends what it found and
    whether nothing changed; then it finds what the cache lacks and, if that is one article,
    analyses it as the build's worker would have (:func:`work.analyse_ahead`), which then
    forks no worker of its own. Without a scout the build takes these steps one after the
    other, and imports Jinja later. Measured at 1,000 articles on this project's 2-core machine,
    interleaved A/Bs against the build without a scout (medians of the per-pair differences):
    a one-article rebuild 7.5, 6.7 and 7.0 ms faster (20, 30 and 24 pairs, faster in 18, 20
    and 20); a build that finds nothing changed 6.6 and 5.3 ms slower (16 pairs each): its
    Jinja import is wasted, and its check takes a little longer in a child than here.
    Importing other modules meanwhile instead (the analysis bookkeeping, or the page builders
    without Jinja) made the rebuild no faster."""
    found, stamp, unchanged = survey_and_stamp(settings, write, last)
    send((None if unchanged else found, stamp, unchanged))
    if unchanged or found is None:
        return
    from . import work

    work.analyse_ahead(found, settings.themes, settings.aliases_file, settings.summary_sentences,
                       settings.cache_dir, settings.processes, send)
    if last is not None:
        from .site import precheck

        send(precheck(settings.docs, last.outputs))  # the writer's checks, for later (see prechecked)


def prechecked(scout: forked.Ahead | None) -> Prechecked | None:
    """What the scout found in ``docs/`` for the writer (:func:`site.precheck`), the last
    thing it sends (messages the build did not read are passed over); None without a scout,
    or if it failed (the writer then checks itself)."""
    if scout is None:
        return None
    try:
        while not isinstance(message := scout.receive(), Prechecked):
            pass
    except Exception:  # noqa: BLE001 - the writer checks itself (the scout is stopped first)
        scout.close()
        return None
    return message


def checked_inputs(settings: Settings, write: bool, last: buildstate.LastBuild | None,
                   scout: forked.Ahead | None) -> tuple[Survey | None, str, bool]:
    """The seeds folder's inputs (None: no seeds folder, which load_inputs reports; or
    nothing changed), the inputs stamp, and whether the last build's stamp is the same and
    its files are as it left them (docs/ is then up to date): from the scout if there is
    one, else (or if it failed: the same check, here) found here."""
    if scout is not None:
        try:
            return scout.receive()  # type: ignore[return-value]
        except Exception as err:  # noqa: BLE001 - checked here, as without a scout, which is stopped
            log.debug("the scout failed (%s); checking the inputs here", err)
            scout.close()
    return survey_and_stamp(settings, write, last)


def survey_and_stamp(settings: Settings, write: bool, last: buildstate.LastBuild | None,
                     ) -> tuple[Survey | None, str, bool]:
    """What :func:`checked_inputs` returns, found in this process."""
    try:
        found = survey(check_seeds(settings.seeds))
    except ProblemsError:
        return None, "", False  # load_inputs reports it
    stamp = _stamp(settings, found) if write else ""
    if write and buildstate.stamp_matches(last, stamp, settings.docs) is not None:
        return None, stamp, True
    return found, stamp, False


def _stamp(settings: Settings, found: Survey) -> str:
    """The inputs stamp (see :func:`buildstate.inputs_stamp`): the codebook, aliases and
    templates by content, the inputs by their stats, and the settings that change pages."""
    templates = sorted(p for p in Path(settings.templates).rglob("*") if p.is_file())
    knobs = f"{settings.summary_sentences}|{settings.strict}|{settings.search}|{Path(settings.docs).resolve()}"
    return buildstate.inputs_stamp(found, [settings.themes, settings.aliases_file, *templates], knobs)
