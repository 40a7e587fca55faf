"""The gazetteer and the analyst's aliases file: which surface forms stand for which entity.

* **Gazetteer** (``generator/data/entities.yml``, shipped with the package):
  organisations and acronyms, cities and regions, a few well-known people, and
  countries from :mod:`pycountry` (name, common name, official name) with
  short English forms added ("U.S.", "Britain"), plus the word lists the
  person rule of :mod:`generator.entities` uses (titles, stopwords, demonyms...).
* **Aliases file** (the analyst's ``aliases.yml``, merged over the gazetteer):
  maps surface forms to a canonical name and kind, and lists forms never counted.

Both are validated when loaded: every problem is reported with its
``file:line:column`` (:class:`generator.errors.ProblemsError`).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .entity_forms import KINDS, ORGANISATION, PERSON, PLACE, Entity, FormTable, form_key, normalise_spaces
from .errors import Problem, ProblemsError

# The YAML parser is imported where a file is parsed: an analysis that adopts the
# gazetteer a build kept, with no aliases file, never needs it (see work / worker).
if TYPE_CHECKING:
    from .yamlsafe import YamlDoc

log = logging.getLogger(__name__)

# The built-in gazetteer, shipped as package data.
GAZETTEER_PATH = Path(__file__).parent / "data" / "entities.yml"
GAZETTEER_NAME = "generator/data/entities.yml"  # how problems in it are located

# Top-level keys of the analyst's aliases file, and of one alias entry.
ALIASES_FILE_KEYS = ("aliases", "ignore")
ALIAS_ENTRY_KEYS = ("name", "kind")


@dataclass(frozen=True)
class Gazetteer:
    """The rules and word lists of the built-in gazetteer (shared by every Aliases)."""

    titles: FormTable  # title form -> True (kept in name) / False
    family_name_first: frozenset[str]
    stopwords: frozenset[str]
    organisation_words: frozenset[str]
    demonyms: FormTable  # demonym -> country/region name
    forms: FormTable  # surface form -> Entity, or None for "never counted"
    lowercase_title_ends: frozenset[str]  # last words of lowercase titles ("leader")


class Aliases:
    """Surface forms -> canonical entities: the gazetteer with an analyst's aliases merged over it."""

    def __init__(self, gazetteer: Gazetteer, forms: FormTable, source: str):
        self.gazetteer = gazetteer
        self.forms = forms
        self.source = source  # the aliases file, or "" for the built-in gazetteer only

    def lookup(self, surface: str) -> Entity | None:
        """The entity a surface form stands for (``None`` if unknown or ignored)."""
        parsed = form_key(surface)
        return self.forms.values.get(parsed[0]) if parsed else None

    def is_ignored(self, surface: str) -> bool:
        parsed = form_key(surface)
        return bool(parsed) and parsed[0] in self.forms.values and self.forms.values[parsed[0]] is None


# --------------------------------------------------------------------------- loading


def _check_list_of_strings(doc: YamlDoc, path: tuple, problems: list[Problem]) -> list[str]:
    value = doc.data
    for part in path:
        value = value[part]
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(doc.problem(path, "expected a list of names"))
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
        else:
            problems.append(doc.problem((*path, i), "expected a non-empty name"))
    return out


def _check_aliases(
    doc: YamlDoc, known: Mapping[str, Any], problems: list[Problem]
) -> tuple[dict[str, Entity], list[str]]:
    """Validate an aliases document (``aliases:`` and ``ignore:``); collect located problems."""
    data = doc.data
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        problems.append(doc.problem((), "expected a mapping with the keys: " + ", ".join(ALIASES_FILE_KEYS)))
        return {}, []
    aliases: dict[str, Entity] = {}
    raw = data.get("aliases")
    if raw is not None and not isinstance(raw, dict):
        problems.append(doc.problem(("aliases",), "expected a mapping of surface form -> {name, kind}"))
        raw = None
    for surface, entry in (raw or {}).items():
        path = ("aliases", surface)
        if not isinstance(surface, str):
            continue  # load_yaml has already reported a key that is not a string
        if not surface.strip() or form_key(surface) is None:
            problems.append(doc.problem(path, "a surface form must contain a word", key=True))
            continue
        if isinstance(entry, str):
            entry = {"name": entry}
        elif not isinstance(entry, dict):
            problems.append(doc.problem(path, "expected {name: ..., kind: person|place|organisation}"))
            continue
        for key in entry:
            if key not in ALIAS_ENTRY_KEYS:
                problems.append(
                    doc.problem((*path, key), "unknown key; expected: " + ", ".join(ALIAS_ENTRY_KEYS), key=True)
                )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(doc.problem((*path, "name"), "name is required: the canonical name"))
            continue
        name = normalise_spaces(name)
        kind = entry.get("kind")
        if kind is None:
            existing = known.get(name)
            if existing is None:
                problems.append(
                    doc.problem(
                        path, f"kind is required ({', '.join(KINDS)}): '{name}' is not a known entity"
                    )
                )
                continue
            kind = existing.kind
        elif kind not in KINDS:
            problems.append(doc.problem((*path, "kind"), f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}"))
            continue
        aliases[surface.strip()] = Entity(name, kind)
    ignore = _check_list_of_strings(doc, ("ignore",), problems) if "ignore" in data else []
    return aliases, ignore


def _country_forms(overrides: Mapping[str, Any]) -> Iterable[tuple[str, Entity]]:
    """(surface form, entity) for every pycountry country, with the gazetteer's corrections."""
    import pycountry  # ~20 ms, most of it pycountry reading its own version: only when building

    for country in pycountry.countries:
        override = overrides.get(country.alpha_3) or {}
        common = getattr(country, "common_name", None)
        name = override.get("name") or common or country.name
        entity = Entity(name, PLACE)
        forms = [name, country.name, common, getattr(country, "official_name", None), *override.get("forms", ())]
        for form in forms:
            # "Korea, Republic of" and "Holy See (Vatican City State)" are index
            # forms, not prose: leave them out.
            if form and "," not in form and "(" not in form:
                yield form.removeprefix("the "), entity


def _strings(doc: YamlDoc, key: str, problems: list[Problem]) -> list[str]:
    return _check_list_of_strings(doc, (key,), problems) if key in doc.data else []


def _named_forms(doc: YamlDoc, key: str, problems: list[Problem]) -> dict[str, list[str]]:
    """``canonical: [other forms]`` sections (places, organisations, people)."""
    raw = doc.data.get(key) or {}
    if not isinstance(raw, dict):
        problems.append(doc.problem((key,), "expected a mapping of canonical name -> list of forms"))
        return {}
    return {name: _check_list_of_strings(doc, (key, name), problems) for name in raw}


def shipped_gazetteer_data(text: str) -> Any:
    """The shipped gazetteer parsed with libyaml when PyYAML has it (about 8x faster than
    :func:`load_yaml`, which tracks every line). It is our own file, not the analyst's:
    a test checks that both parsers read it to the same data."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (safe loader)


def gazetteer_source() -> str:
    """What the built-in gazetteer is made from, as a digest: the generator's own code and
    data (see :func:`generator.buildstate.code_fingerprint`, which covers the shipped
    gazetteer) and pycountry's database of countries, found without importing it."""
    from .buildstate import code_fingerprint

    spec = importlib.util.find_spec("pycountry")
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    parts = [code_fingerprint()]
    for folder in folders:
        database = Path(folder) / "databases" / "iso3166-1.json"
        try:
            stat = database.stat()
        except OSError:
            continue
        parts.append(f"{database}|{stat.st_size}|{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


# The built-in gazetteer of this process, once built or adopted.
_BUILT: list[Gazetteer] = []


def adopt_gazetteer(gazetteer: Gazetteer) -> None:
    """Use ``gazetteer``, built earlier from what :func:`gazetteer_source` names (kept by the
    analysis cache), instead of building it in this process."""
    if not _BUILT:
        _BUILT.append(gazetteer)


def _gazetteer() -> Gazetteer:
    """The built-in gazetteer, built (or adopted) once per process."""
    if not _BUILT:
        _BUILT.append(_build_shipped_gazetteer())
    return _BUILT[0]


def _build_shipped_gazetteer() -> Gazetteer:
    """Load and check the built-in gazetteer (a problem in it, which only a broken install
    can have, is reported with its line from a second, located parse)."""
    import yaml

    from .yamlsafe import YamlDoc, load_yaml

    text = GAZETTEER_PATH.read_text(encoding="utf-8")
    try:
        return _build_gazetteer(YamlDoc(shipped_gazetteer_data(text), GAZETTEER_NAME))
    except (ProblemsError, yaml.YAMLError, AttributeError, TypeError):
        return _build_gazetteer(load_yaml(text, GAZETTEER_NAME))


def _build_gazetteer(doc: YamlDoc) -> Gazetteer:
    from .yamlsafe import YamlDoc

    problems: list[Problem] = []
    titles = FormTable()
    name_titles = set(_strings(doc, "name_titles", problems))
    for title in _strings(doc, "titles", problems):
        titles.add(title, title in name_titles)
    demonyms = FormTable()
    for demonym, target in (doc.data.get("demonyms") or {}).items():
        demonyms.add(demonym, target)

    forms = FormTable()
    countries = doc.data.get("countries") or {}
    for form, entity in _country_forms(countries):
        forms.add(form, entity)
    for key, kind in (("places", PLACE), ("organisations", ORGANISATION), ("people", PERSON)):
        for name, others in _named_forms(doc, key, problems).items():
            for form in (name, *others):
                forms.add(form, Entity(name, kind))
    for event in _strings(doc, "events", problems):
        forms.add(event, None)
    family_name_first = frozenset(_strings(doc, "family_name_first", problems))
    stopwords = frozenset(_strings(doc, "stopwords", problems))
    organisation_words = frozenset(_strings(doc, "organisation_words", problems))
    known = {e.name: e for e in forms.values.values() if e is not None}
    aliases, ignore = _check_aliases(
        YamlDoc({"aliases": doc.data.get("aliases"), "ignore": doc.data.get("ignore")}, GAZETTEER_NAME),
        known,
        problems,
    )
    if problems:
        raise ProblemsError(problems)
    for surface, entity in aliases.items():
        forms.add(surface, entity)
    for surface in ignore:
        forms.add(surface, None)
    return Gazetteer(
        titles=titles,
        family_name_first=family_name_first,
        stopwords=stopwords,
        organisation_words=organisation_words,
        demonyms=demonyms,
        forms=forms,
        lowercase_title_ends=frozenset(
            key.split()[-1] for key in titles.values if not key[0].isupper()
        ),
    )


def builtin_gazetteer() -> Gazetteer:
    """The built-in gazetteer (built, or adopted, once per process)."""
    return _gazetteer()


@functools.lru_cache(maxsize=1)
def builtin_aliases() -> Aliases:
    """The built-in gazetteer alone, with no aliases file (loaded once per process)."""
    gazetteer = _gazetteer()
    return Aliases(gazetteer, gazetteer.forms, "")


def load_aliases(path: Path | None) -> Aliases:
    """The built-in gazetteer, with the analyst's aliases file at ``path`` merged over it.

    ``path=None`` gives the built-in gazetteer alone. The file has two optional
    keys: ``aliases`` (surface form -> ``{name, kind}``; ``kind`` may be left out
    when ``name`` is already a known entity) and ``ignore`` (surface forms never
    counted). Unknown keys, unknown kinds and malformed entries raise
    :class:`ProblemsError` with every problem located (``file:line:column``).
    """
    if path is None:
        return builtin_aliases()
    path = Path(path)
    gazetteer = _gazetteer()
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ProblemsError([Problem(str(path), None, None, "", f"cannot read the aliases file: {err.strerror}")])
    from .yamlsafe import load_yaml

    doc = load_yaml(raw, str(path))
    problems: list[Problem] = []
    if isinstance(doc.data, dict):
        for key in doc.data:
            if key not in ALIASES_FILE_KEYS:
                problems.append(
                    doc.problem((key,), "unknown key; expected one of: " + ", ".join(ALIASES_FILE_KEYS), key=True)
                )
    known = {e.name: e for e in gazetteer.forms.values.values() if e is not None}
    aliases, ignore = _check_aliases(doc, known, problems)
    if problems:
        raise ProblemsError(problems)
    forms = gazetteer.forms.copy()
    for surface, entity in aliases.items():
        forms.add(surface, entity)
        if form_key(entity.name) and form_key(entity.name)[0] not in forms.values:
            forms.add(entity.name, entity)  # the canonical name is a form of itself
    for surface in ignore:
        forms.add(surface, None)
    log.debug("aliases: %d aliases and %d ignored forms from %s", len(aliases), len(ignore), path)
    return Aliases(gazetteer, forms, str(path))
