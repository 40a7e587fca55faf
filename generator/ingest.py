"""Read article inputs (found by :mod:`generator.sources`) into :class:`Article` records.

Inputs are ``.txt`` (text copied from a web page; cleaned by :mod:`generator.clean`),
``.md`` (optional YAML front matter, then plain paragraphs; ``> `` lines are block
quotes; read by :mod:`generator.markdown_body`) and ``.html``/``.htm`` (a saved
page; main text and metadata by trafilatura, offline: :mod:`generator.html_body`). Any input may have a
sidecar ``<stem>.yml`` next to it whose fields (see :mod:`generator.overrides`)
win over everything inferred.

Decoding rule: a byte order mark selects UTF-8/UTF-16/UTF-32; otherwise the
bytes must be UTF-8, except that a file with a NUL byte is "binary, not a text
article", and a file that is not UTF-8 but decodes as Windows-1252 is read that
way with a warning; anything else is a problem naming the byte offset (and its
line and column). Line ends (CRLF, lone CR) become ``\\n``; non-breaking spaces
become spaces; curly quotes stay.

Skipped vs fatal: :func:`load_corpus` skips an input it cannot read (missing,
unreadable, binary, undecodable, empty, no text) with a warning, unless
``strict``; problems in a sidecar or front matter (hand-written by the analyst)
always fail the build, all of them reported together.
"""

from __future__ import annotations

import codecs
import logging
from dataclasses import replace
from dataclasses import fields as dataclass_fields
from pathlib import Path

from .blocks import Block, Cleaned, first_sentence, normalise
from .clean import clean_text
from .corpus import Corpus, collect, content_hash  # noqa: F401 (Corpus: re-exported)
from .errors import Problem, ProblemsError, UnreadableInput
from .html_body import parse_html
from .markdown_body import parse_markdown
from .overrides import Overrides, load_sidecar, pins_of, split_front_matter
from .records import TEXT, Article, Metadata, Paragraph, Pin
from .sentences import build_paragraph
from .sources import SIDECAR_SUFFIX, check_seeds, discover, sidecar_path

log = logging.getLogger(__name__)

#: Inputs larger than this are refused (a 5 MB article is fine).
MAX_INPUT_BYTES = 32 * 1024 * 1024

EMPTY_MESSAGE = "empty article"
BINARY_MESSAGE = "binary file, not a text article (NUL byte at byte offset {offset})"
NOT_TEXT_MESSAGE = "not valid UTF-8 (byte offset {offset}) nor Windows-1252 text; save the file as UTF-8"
CP1252_WARNING = "%s: not valid UTF-8 (byte offset %d); read as Windows-1252"
MISSING_MESSAGE = "file not found (it was removed or renamed while the build ran)"
UNREADABLE_MESSAGE = "cannot read file: {reason}"
TOO_LARGE_MESSAGE = "file is {size:,} bytes; the limit is {limit:,}"
NO_TEXT_MESSAGE = "no article text left after removing page furniture"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_METADATA_FIELDS = tuple(f.name for f in dataclass_fields(Metadata) if f.name not in ("title", "inferred"))
_OVERRIDE_TO_METADATA = {"summary": "editor_summary"}


def read_article(path: Path, seeds_dir: Path) -> Article:
    """Read one input into an :class:`Article` (``slug`` left empty).

    Raises :class:`UnreadableInput` (a :class:`ProblemsError`) for an input that
    cannot be read, and :class:`ProblemsError` for sidecar or front-matter problems.
    """
    path, seeds_dir = Path(path), Path(seeds_dir)
    try:
        rel = path.relative_to(seeds_dir).as_posix()
    except ValueError:
        rel = path.name
    display = str(seeds_dir / rel)
    suffix = path.suffix.lower()

    problems: list[Problem] = []
    overrides = Overrides()
    pins: tuple[Pin, ...] = ()
    sidecar_bytes: bytes | None = None  # None: no sidecar
    sidecar = sidecar_path(path)
    if sidecar.is_file():
        sidecar_display = str(seeds_dir / Path(rel).with_suffix(SIDECAR_SUFFIX))
        try:
            sidecar_bytes = sidecar.read_bytes()
            overrides = load_sidecar(sidecar, sidecar_display)
            pins = pins_of(overrides, sidecar_display)
        except ProblemsError as err:
            problems.extend(err.problems)
        except OSError as err:
            problems.append(Problem(sidecar_display, message=UNREADABLE_MESSAGE.format(reason=_reason(err))))

    try:
        raw = _read_bytes(path, display)
        text = normalise(decode(raw, display))
        if not text.strip():
            raise UnreadableInput([Problem(display, message=EMPTY_MESSAGE)])
    except UnreadableInput as err:
        if problems:  # the sidecar problems are fatal: report them, with this one
            raise ProblemsError(problems + list(err.problems)) from None
        raise
    if problems:
        raise ProblemsError(problems)

    if suffix == ".md":
        front, body, _ = split_front_matter(text, display)  # ProblemsError: fatal
        if front.positions and not overrides.positions:
            pins = pins_of(front, display)
        overrides = _merge(front, overrides)
        cleaned = parse_markdown(body, overrides.title)
        structured = dict(cleaned.fields)  # a "# Title" heading is explicit, not inferred
    elif suffix in (".html", ".htm"):
        cleaned, structured = parse_html(text, display)
    else:
        cleaned = clean_text(text, overrides.title)
        structured = {}

    if not any(block.text for block in cleaned.blocks):
        raise UnreadableInput([Problem(display, message=NO_TEXT_MESSAGE)])
    paragraphs = _paragraphs(cleaned.blocks)
    meta = _metadata(cleaned, structured, overrides, paragraphs, path)
    return Article(
        slug="",
        source_file=rel,
        meta=meta,
        paragraphs=paragraphs,
        pins=pins,
        removed_lines=cleaned.removed_lines,
        content_hash=content_hash(raw, sidecar_bytes),
    )


def load_corpus(seeds_dir: Path, strict: bool = False) -> Corpus:
    """Read every input of ``seeds_dir``; see the module docstring for skipped vs fatal."""
    seeds_dir = check_seeds(seeds_dir)
    outcomes: list[Article | ProblemsError] = []
    for path in discover(seeds_dir):
        try:
            outcomes.append(read_article(path, seeds_dir))
        except ProblemsError as err:
            outcomes.append(err)
    return collect(outcomes, strict)


def _reason(err: OSError) -> str:
    return (err.strerror or type(err).__name__).lower()


def _read_bytes(path: Path, display: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            message = TOO_LARGE_MESSAGE.format(size=size, limit=MAX_INPUT_BYTES)
            raise UnreadableInput([Problem(display, message=message)])
        return path.read_bytes()
    except FileNotFoundError:
        raise UnreadableInput([Problem(display, message=MISSING_MESSAGE)]) from None
    except OSError as err:
        raise UnreadableInput([Problem(display, message=UNREADABLE_MESSAGE.format(reason=_reason(err)))]) from None


def decode(raw: bytes, display: str) -> str:
    """Bytes to text by the rule in the module docstring; raises :class:`UnreadableInput`."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as err:
                message = NOT_TEXT_MESSAGE.format(offset=err.start)
                raise UnreadableInput([_located(raw, display, err.start, message)]) from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise UnreadableInput([_located(raw, display, nul, BINARY_MESSAGE.format(offset=nul))])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        offset = err.start
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableInput([_located(raw, display, offset, NOT_TEXT_MESSAGE.format(offset=offset))]) from None
    log.warning(CP1252_WARNING, display, offset)
    return text


def _located(raw: bytes, display: str, offset: int, message: str) -> Problem:
    """A problem at a byte offset, with its 1-based line and (byte) column."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return Problem(display, raw.count(b"\n", 0, offset) + 1, offset - line_start + 1, "", message)


def _merge(base: Overrides, top: Overrides) -> Overrides:
    """Field-wise merge: what ``top`` (the sidecar) gives wins over ``base`` (front matter)."""
    if base.is_empty():
        return top
    if top.is_empty():
        return base
    given = top.given()
    changes: dict[str, object] = dict(given)
    if top.positions:
        changes["positions"] = top.positions
    return replace(base, **changes)


def _paragraphs(blocks: tuple[Block, ...]) -> tuple[Paragraph, ...]:
    return tuple(
        build_paragraph(number, block.text, block.kind, block.attribution)
        for number, block in enumerate((b for b in blocks if b.text), start=1)
    )


def _metadata(
    cleaned: Cleaned,
    structured: dict[str, str],
    overrides: Overrides,
    paragraphs: tuple[Paragraph, ...],
    path: Path,
) -> Metadata:
    """Overrides win over structured (HTML) metadata, which wins over what the text suggests."""
    values: dict[str, str] = {}
    inferred: set[str] = set()
    for name, value in cleaned.fields.items():
        values[name] = value
        inferred.add(name)
    for name, value in structured.items():
        values[name] = value
        inferred.discard(name)
    for name, value in overrides.given().items():
        name = _OVERRIDE_TO_METADATA.get(name, name)
        values[name] = value
        inferred.discard(name)
    url = values.get("url")
    if url and not url.lower().startswith(("http://", "https://")):
        log.warning("%s: dropped url %r: only http(s) links are kept", path, url)
        del values["url"]
    if not values.get("title", "").strip():
        first = next((p.text for p in paragraphs if p.kind == TEXT), paragraphs[0].text if paragraphs else "")
        values["title"] = first_sentence(first) if first else ""
        if not values["title"].strip():
            values["title"] = path.stem
        inferred.add("title")
    inferred.intersection_update({"title", *_METADATA_FIELDS})
    return Metadata(
        title=values["title"],
        **{name: values.get(name) for name in _METADATA_FIELDS},
        inferred=frozenset(inferred),
    )
