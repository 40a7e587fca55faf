"""The ``briefing`` command line: parses arguments and calls the pipeline, nothing more."""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import __version__, pipeline
from .errors import Problem, ProblemsError

log = logging.getLogger("generator")

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
SERVE_POLL_SECONDS = 1.0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=Path, default=Path("seeds"), help="folder of articles (default: seeds)")
    parser.add_argument("--themes", type=Path, default=None,
                        help="themes codebook (default: <seeds>/themes.yml)")
    parser.add_argument("--docs", type=Path, default=Path("docs"), help="Markdown output folder (default: docs)")
    parser.add_argument("--aliases", type=Path, default=None,
                        help="entity aliases file (default: <seeds>/aliases.yml if present)")
    parser.add_argument("--strict", action="store_true",
                        help="fail on any unreadable article instead of skipping it with a warning")
    parser.add_argument("--sentences", type=int, default=pipeline.DEFAULT_SUMMARY_SENTENCES,
                        help="summary length in sentences (default: 3)")
    parser.add_argument("--search", choices=("auto", "lunr", "pagefind"), default="auto",
                        help="full-text search: Material's built-in (lunr), Pagefind (sharded, for large "
                             "briefings; `build` runs it), or auto: Pagefind from 500 articles on")
    parser.add_argument("--jobs", type=int, default=None,
                        help="processes for analysing changed articles and rendering pages "
                             "(default: one per core this process may use; 1: no extra process)")
    parser.add_argument("--no-cache", action="store_true",
                        help="do not read or write the analysis cache (docs/.briefing-cache)")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail on stderr")
    parser.add_argument("-q", "--quiet", action="store_true", help="errors only")


def _build(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--site", type=Path, default=Path("site"), help="HTML output folder (default: site)")
    p.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help="MkDocs config (default: mkdocs.yml)")


def _serve_options(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--config", type=Path, default=Path("mkdocs.yml"))
    p.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on (default: 127.0.0.1:8000)")


def _summarize_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path)
    p.add_argument("--sentences", type=int, default=pipeline.DEFAULT_SUMMARY_SENTENCES)
    p.add_argument("--json", action="store_true", help='print exactly {"sentences": [...]}')


def _export_options(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--format", choices=("json", "csv"), default="json")


# Each command: its one-line help and what adds its options.
COMMANDS = {
    "generate": ("write the Markdown pages into docs/", _common),
    "build": ("generate, then `mkdocs build --strict` into site/", _build),
    "check": ("validate seeds and themes without writing anything (exit 1 on problems)", _common),
    "serve": ("generate and preview; regenerate when seeds, themes or templates change", _serve_options),
    "summarize": ("print the extractive summary of one article file", _summarize_options),
    "export": ("print the comparison matrix as JSON or CSV", _export_options),
    "suggest-themes": ("propose themes for recurring phrases no theme covers (YAML)", _common),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line. ``command``: only that command is added, with its options, when
    the arguments name it first (argparse spends ~5 ms adding every command's options and
    ~2 ms making the other commands' parsers, a few per cent of a one-article rebuild);
    None: every command, as ``briefing --help`` lists them."""
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="Turn a folder of articles and a themes codebook into a MkDocs briefing site.",
    )
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, options) in COMMANDS.items():
        if command is None or command == name:
            options(sub.add_parser(name, help=help_text))
    return parser


def _settings(args: argparse.Namespace) -> pipeline.Settings:
    return pipeline.Settings(
        seeds=args.seeds,
        themes=args.themes or args.seeds / "themes.yml",
        docs=args.docs,
        aliases=args.aliases,
        summary_sentences=args.sentences,
        strict=args.strict,
        cache=not args.no_cache,
        workers=args.jobs,
        search=args.search,
    )


def _report_problems(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for problem in problems:
            _emit(problem.github_annotation() + "\n")
    print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found; nothing was written.",
          file=sys.stderr)


def _report_skipped(skipped: tuple[Problem, ...]) -> None:
    if skipped:
        print(f"skipped {len(skipped)} unreadable file(s) (use --strict to fail instead):", file=sys.stderr)
        for problem in skipped:
            print(f"  {problem}", file=sys.stderr)


def _epoch_for(result: pipeline.Result) -> str:
    """SOURCE_DATE_EPOCH for MkDocs (sitemap dates): the environment's, else the newest source date."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    day = result.as_of
    if not day:
        return "0"
    from datetime import date, datetime, timezone  # here: `generate` never needs it (~1.5 ms)

    return str(int(datetime.combine(date.fromisoformat(day), datetime.min.time(), timezone.utc).timestamp()))


def _configured_docs(config: Path) -> Path:
    """The docs_dir that mkdocs.yml names (default "docs"), relative to the config file."""
    text = config.read_text(encoding="utf-8") if config.is_file() else ""
    match = re.search(r"^docs_dir:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", text, flags=re.M)
    return (config.parent / (match.group(1) if match else "docs")).resolve()


@contextmanager
def _mkdocs_config(config: Path, docs: Path) -> Iterator[Path]:
    """mkdocs.yml itself, or a temporary config inheriting it when --docs points elsewhere."""
    if docs.resolve() == _configured_docs(config):
        yield config
        return
    import tempfile  # here, as subprocess below: the generate verb never needs them

    # INHERIT is resolved relative to the derived file, so it lives beside mkdocs.yml;
    # a unique name keeps concurrent builds with different --docs apart.
    fd, name = tempfile.mkstemp(prefix=".briefing-mkdocs-", suffix=".yml", dir=config.parent)
    derived = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"INHERIT: {config.name}\ndocs_dir: {json.dumps(str(docs.resolve()))}\n")
        yield derived
    finally:
        derived.unlink(missing_ok=True)


def _mkdocs_env(result: pipeline.Result) -> dict[str, str]:
    # NO_MKDOCS_2_WARNING: Material's end-of-life banner; the README documents Zensical instead.
    return dict(os.environ, SOURCE_DATE_EPOCH=_epoch_for(result), NO_MKDOCS_2_WARNING="1")


def _mkdocs(verb: str, args: argparse.Namespace, result: pipeline.Result, extra: list[str]) -> int:
    with _mkdocs_config(args.config, args.docs) as config:
        import subprocess

        cmd = [sys.executable, "-m", "mkdocs", verb, "-f", str(config), *extra]
        log.info("running %s", " ".join(cmd))
        return subprocess.call(cmd, env=_mkdocs_env(result))


def _pagefind(site: Path) -> int:
    """Index the article and theme pages of the built site with Pagefind (the pages that
    generate left out of Material's index in Pagefind mode)."""
    import subprocess

    cmd = [sys.executable, "-m", "pagefind", "--site", str(site), "--root-selector", "article",
           "--exclude-selectors", ".headerlink", "--glob", "{articles,themes}/**/*.html",
           "--force-language", "en", "--quiet"]
    log.info("running %s", " ".join(cmd))
    return subprocess.call(cmd)


def _inputs_mtime(settings: pipeline.Settings) -> float:
    """The newest modification time among the inputs (a file that vanishes meanwhile, such
    as an editor's temporary file, is skipped)."""
    newest = 0.0
    for path in [settings.themes, *settings.seeds.rglob("*"), *settings.templates.rglob("*")]:
        try:
            newest = max(newest, path.stat().st_mtime)
        except OSError:
            continue
    return newest


def _serve(args: argparse.Namespace, session: pipeline.Session, result: pipeline.Result) -> int:
    with _mkdocs_config(args.config, args.docs) as config:
        cmd = [sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "--dev-addr", args.dev_addr]
        return _serve_until_stopped(cmd, _mkdocs_env(result), session)


def _serve_until_stopped(cmd: list[str], env: dict[str, str], session: pipeline.Session) -> int:
    """Run ``cmd`` (mkdocs serve, which reloads on changes in docs/) and regenerate docs/
    whenever an input changes; the session keeps the last build's records in memory. A
    rebuild that fails (bad input, a template error, a full disk) is reported and the
    preview keeps the last good pages; the server never outlives this command."""
    import subprocess

    import jinja2

    settings = session.settings
    server = subprocess.Popen(cmd, env=env)
    seen = _inputs_mtime(settings)
    try:
        while server.poll() is None:
            time.sleep(SERVE_POLL_SECONDS)
            now = _inputs_mtime(settings)
            if now != seen:
                seen = now
                try:
                    session.generate()
                    log.info("regenerated docs/")
                    pipeline.collect_garbage()  # while idle, not in the next rebuild
                except ProblemsError as err:
                    _report_problems(err.problems)
                except (jinja2.TemplateError, OSError, ValueError) as err:
                    log.error("regenerating docs/ failed (%s: %s); docs/ is left as the last build "
                              "that completed wrote it", type(err).__name__, err)
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.terminate()
    return server.wait()


def _summarize(args: argparse.Namespace) -> int:
    from .ingest import read_article
    from .summarize import summarize

    article = read_article(args.file, args.file.parent)
    sentences = [s.text for s in summarize(article, args.sentences)]
    if args.json:
        _emit(json.dumps({"sentences": sentences}, ensure_ascii=False) + "\n")
    else:
        _emit("\n".join(sentences) + "\n")
    return EXIT_OK


def _suggest(settings: pipeline.Settings) -> int:
    from .suggest import suggest_themes

    briefing, _ = pipeline.analyse(settings)
    _emit(suggest_themes(briefing))
    return EXIT_OK


def run(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv and argv[0] in COMMANDS else None).parse_args(argv)
    level = logging.DEBUG if getattr(args, "verbose", False) else (
        logging.ERROR if getattr(args, "quiet", False) else logging.INFO)
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)
    try:
        if args.command == "summarize":
            return _summarize(args)
        settings = _settings(args)
        if args.command == "check":
            inputs = pipeline.load_inputs(settings)  # reads the analysis cache; writes nothing
            _report_skipped(inputs.corpus.skipped)
            _emit(f"ok: {len(inputs.corpus.articles)} articles, {len(inputs.codebook.themes)} themes\n")
            return EXIT_OK
        if args.command == "export":
            from .matrix import matrix_csv, matrix_json

            briefing, _ = pipeline.analyse(settings)
            _emit(matrix_json(briefing) if args.format == "json" else matrix_csv(briefing))
            return EXIT_OK
        if args.command == "suggest-themes":
            return _suggest(settings)
        session = pipeline.Session(settings, one_shot=args.command != "serve")
        result = session.generate()
        if args.command == "generate":
            _LEFT_FOR_EXIT[:] = [session]  # the last one only (tests call run() many times)
        _report_skipped(result.skipped)
        if args.command == "build":
            status = _mkdocs("build", args, result, ["--strict", "-d", str(args.site.resolve())])
            if status == 0 and result.search == "pagefind":
                status = _pagefind(args.site)
            return status
        if args.command == "serve":
            return _serve(args, session, result)
        return EXIT_OK
    except ProblemsError as err:
        _report_problems(err.problems)
        return EXIT_PROBLEMS
    except OSError as err:  # a file that cannot be read or written (permissions, a full disk)
        log.error("%s", err)
        return EXIT_PROBLEMS


class OutputLost(Exception):
    """The command's result could not be written to stdout (a closed pipe, a full disk)."""


def _emit(text: str) -> None:
    """Write the command's result to stdout (an :class:`OutputLost` if that fails)."""
    if sys.stdout is None:  # started with stdout closed (`briefing export >&-`)
        raise OutputLost(OSError(errno.EBADF, "standard output is closed")) from None
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as err:
        raise OutputLost(err) from err


# What a `generate` built, kept referenced until main() ends the process with os._exit:
# dropping it when run() returns would free the build's records and pages object by
# object, ~10 ms at 1,000 articles and ~25 ms at 3,000 (bench/run.py's one-article edit
# takes 0.2-0.5 s). Only for `generate`, whose process ends right after the build.
_LEFT_FOR_EXIT: list[object] = []

# Loaded when a tool that writes its results at exit (coverage, a profiler) or a
# debugger session runs this process: main() then exits normally.
_EXIT_TOOLS = ("coverage", "pdb", "cProfile", "profile", "trace", "pytest")


def _tools_attached() -> bool:
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+ (coverage uses it there)
    if monitoring is not None and any(monitoring.get_tool(i) for i in range(6)):
        return True
    return any(name in sys.modules for name in _EXIT_TOOLS)


def _flush_stdout(lost: OSError | None = None) -> bool:
    """Flush stdout; False if the output could not be written (then stdout is pointed at
    devnull, as Python's signal docs advise, so that no later flush fails again).
    ``lost``: the error an earlier write met."""
    if sys.stdout is None:  # started with stdout closed: nothing to flush or redirect
        if lost is not None:
            log.error("cannot write the output: %s", lost.strerror or lost)
        return lost is None
    if lost is None:
        try:
            sys.stdout.flush()
            return True
        except OSError as err:
            lost = err
    if not isinstance(lost, BrokenPipeError):  # a closed pipe: the reader has all it wanted
        log.error("cannot write the output: %s", lost.strerror or lost)
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return False


def main() -> None:
    """The ``briefing`` command. Exit status: that of :func:`run`, or 1 if the output could
    not be written (a closed pipe, a full disk)."""
    try:
        status = run()
    except OutputLost as err:
        status = 1
        _flush_stdout(err.args[0])
    if not _flush_stdout():
        status = status or 1
    logging.shutdown()
    if not _tools_attached():
        # Everything is written and flushed, every worker pool is shut down, and
        # nothing of this program needs an exit handler; freeing the build's million
        # small objects one by one (and a last garbage collection) would cost more
        # than a tenth of a one-article rebuild. Under coverage, a profiler or a
        # debugger (which act at exit), exit normally.
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os._exit(status & 0xFF)
    sys.exit(status)
