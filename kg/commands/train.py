"""``kg train``: fit the entity tagger on the gold annotations (and cross-validate it)."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli import Failed, InputProblem, _progress

#: The annotations the shipped model is trained on: the seed pages (in this repository) and
#: the dev articles to tune on (their texts gathered as ../shared/dev/README.md says).
DEFAULT_SOURCES = (
    ("tests/data/gold", "seeds", "all"),
    ("../shared/dev", "dev-texts", "tune"),
)


@click.command(name="train")
@click.option("--source", "sources", multiple=True, nargs=3, metavar="GOLD TEXTS SUBSET",
              help="Gold folder, folder of its article texts, and all|tune (repeatable; "
                   "default: the seeds and the dev articles to tune on).")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Where to write the model  [default: the package's data/tagger.npz]")
@click.option("--cv", "folds", type=click.IntRange(2, 50), default=None,
              help="Cross-validate with this many folds by article instead of training.")
@click.option("--c1", type=float, default=None, help="L1 penalty (default 0.2).")
@click.option("--c2", type=float, default=None, help="L2 penalty (default 0.05).")
def train_cmd(sources: tuple[tuple[str, str, str], ...], out: Path | None, folds: int | None,
              c1: float | None, c2: float | None) -> None:
    """Train the statistical entity tagger (deterministic: the same annotations give the same
    model file), or cross-validate it with --cv."""
    from ..extract.tagger import MODEL_PATH
    from ..train import Settings, Source, TrainError, cross_validate, train, train_relations

    chosen = [Source(Path(g), Path(t), s) for g, t, s in (sources or DEFAULT_SOURCES)]
    for src in chosen:
        if src.subset not in ("all", "tune"):
            raise InputProblem(f"subset must be all or tune, not {src.subset!r}")
        if not src.gold.exists():
            raise InputProblem(f"{src.gold}: no such gold folder")
    settings = Settings()
    if c1 is not None:
        settings.c1 = c1
    if c2 is not None:
        settings.c2 = c2
    try:
        if folds:
            cv = cross_validate(chosen, folds, settings, progress=_progress("folds"))
            click.echo(f"{folds}-fold cross-validation by article "
                       f"({sum(len(f.articles) for f in cv.folds)} articles), reference figures "
                       "on the held-out articles:")
            click.echo(f"  all:   entities: models {cv.with_model.core}; rules alone "
                       f"{cv.rules_only.core}")
            click.echo(f"         object relations: models {cv.with_model.objects}; rules alone "
                       f"{cv.rules_only.objects}")
            for src in chosen:
                from ..eval import load_gold

                names = [n for n in load_gold(src.gold) if n in cv.golds]
                with_model, rules = cv.on(names)
                click.echo(f"  {src.gold} ({len(names)}): entities: models {with_model.core}; "
                           f"rules alone {rules.core}")
                click.echo(f"         object relations: models {with_model.objects}; rules "
                           f"alone {rules.objects}")
            click.echo("  core recall by type (models / rules): " + ", ".join(
                f"{t} {cv.with_model.core_by_type[t].r:.2f}/{cv.rules_only.core_by_type[t].r:.2f}"
                for t in cv.with_model.core_by_type if cv.with_model.core_by_type[t].n_gold))
            return
        model, articles = train(chosen, settings, progress=_progress("articles"))
        relations = train_relations(articles, settings, model)
    except TrainError as exc:
        raise Failed(str(exc)) from None
    target = out or MODEL_PATH
    model.save(target)
    rel_target = target.with_name("relations.npz")
    relations.save(rel_target)
    click.echo(f"trained on {len(articles)} articles: the entity tagger ({len(model.attributes)} "
               f"weighted attributes, {len(model.labels)} labels) into {target}; the relation "
               f"classifier ({len(relations.attributes)} attributes, {len(relations.labels)} "
               f"labels, {len(relations.allowed)} type pairs) into {rel_target}")


COMMANDS = [train_cmd]
