"""`mentiondesk train --output DIR [--data PATH ...] [--from-desk]`: train, compare with the current model."""

from __future__ import annotations

from pathlib import Path

import click

from mentiondesk.core.errors import InputError

# Share of user-supplied and desk examples held out (by a hash of the text) to measure before/after.
HELD_OUT_PERCENT = 20
# Fewer corrections than this barely move a model trained on ~200,000 rows.
FEW_CORRECTIONS = 50
# Below this many held-out rows of the user's own, calibration uses the hand-labelled dev split instead.
MIN_CALIBRATION_ROWS = 100


@click.command(name="train")
@click.option("--output", required=True, type=click.Path(path_type=Path), help="Directory for the new model.")
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Labeled CSV/JSONL: `text` plus `label` (complaint/praise/question/other) or `sentiment`.",
)
@click.option("--from-desk", is_flag=True, help="Also learn from relabels made by managers in the desk.")
@click.option(
    "--shared-data",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of the development corpora (default: ../shared/data next to the checkout, when present).",
)
@click.option("--no-shared", is_flag=True, help="Train on --data / --from-desk only (drop the base data).")
@click.option(
    "--commercial-only",
    is_flag=True,
    help="Leave out non-commercial corpora (TWCS-derived CC BY-NC-SA data and its hand labels, SemEval-2018 irony).",
)
@click.option(
    "--user-weight",
    default=0.0,
    type=click.FloatRange(0),
    help="Weight of each --data/--from-desk row in the base stage (default 4); a second stage fine-tunes on them.",
)
@click.option(
    "--hold-out",
    "hold_out",
    default=HELD_OUT_PERCENT,
    show_default=True,
    type=click.IntRange(0, 90),
    help="Percent of --data/--from-desk rows kept out of training to measure before/after.",
)
@click.option("--seed", default=13, show_default=True, help="Seed for the shuffling order.")
@click.option("--epochs", default=None, type=int, help="Training passes over the data.")
def command(
    output: Path,
    data_files: tuple[Path, ...],
    from_desk: bool,
    shared_data: Path | None,
    no_shared: bool,
    hold_out: int,
    seed: int,
    epochs: int | None,
    commercial_only: bool,
    user_weight: float,
) -> None:
    """Train a classifier model; print held-out metrics of the current model and the new one."""
    from mentiondesk.corrections import load_desk_corrections
    from mentiondesk.settings import get_settings
    from rules.classifier import load_classifier
    from rules.corpora import build
    from rules.data import DEFAULT_DATA_DIR, Example, bucket, load_labeled_file
    from rules.hand3k import load_urgency_extra
    from rules.trained import TrainedClassifier
    from rules.training import MIN_FLOOR_COMPLAINTS, TrainConfig, evaluate, judged_complaints, save, train

    base: list[Example] = []
    urgency_extra: list[Example] = []
    if not no_shared:
        folder = shared_data or DEFAULT_DATA_DIR
        if folder.is_dir():
            base = build(folder, commercial_only=commercial_only)
            # TWCS-derived like the hand labels: left out with them.
            urgency_extra = [] if commercial_only else load_urgency_extra(folder)
        elif shared_data is not None:
            raise InputError("no such folder", path=str(shared_data))
        else:
            # Without the base data a model knows only the user's rows: "--from-desk" after a few relabels would
            # make a model of 3 examples. Leaving the base out must be asked for.
            raise InputError(
                "the base corpora are not in this folder: give theirs with --shared-data DIR, or train on your rows "
                "alone with --no-shared",
                path=str(folder),
            )
    extra: list[Example] = []
    for file in data_files:
        extra += load_labeled_file(file)
    if from_desk:
        desk = load_desk_corrections(get_settings().database_url)
        click.echo(f"desk corrections: {len(desk)}", err=True)
        if len(desk) < FEW_CORRECTIONS:
            click.echo(
                f"warning: only {len(desk)} desk corrections (fewer than {FEW_CORRECTIONS}); "
                "the new model will barely differ from the base model",
                err=True,
            )
        extra += desk
    if output.exists() and not output.is_dir():
        raise InputError("--output must be a directory", path=str(output))
    if not base and not extra:
        raise InputError("nothing to train on: give --data, --from-desk or the shared corpora")

    held_extra = [e for e in extra if bucket(e.text) < hold_out]
    train_extra = [e for e in extra if bucket(e.text) >= hold_out]
    train_set = [e for e in base if e.split == "train"] + train_extra
    hand_dev = [e for e in base if e.split == "dev"]
    held_out = {
        "hand-labelled brand tweets (dev split)": hand_dev,
        f"your data held-out ({hold_out}%)": held_extra,
    }
    held_out = {name: rows for name, rows in held_out.items() if rows}
    # Calibrate on the user's own held-out rows when there are enough: they carry the brand's label mix.
    calibration = held_extra if len(held_extra) >= MIN_CALIBRATION_ROWS else hand_dev + held_extra
    # The sentiment stacker is fitted where it was validated, on the hand-labelled dev rows, over a model
    # calibrated on them. A model calibrated on the user's own rows keeps the decoder's sentiment: fitted on
    # those rows it cost 0.013 macro-F1 on benchmarks/learning.py's unseen domain.
    sentiment_rows = [] if calibration is held_extra else calibration
    # The review floor is set by complaints a person labelled: the hand-labelled ones too when the user's rows
    # give sentiment only (their "complaints" are any negative post).
    enough = judged_complaints(calibration) >= MIN_FLOOR_COMPLAINTS
    floor_rows = calibration if enough else hand_dev + held_extra
    if not train_set:
        raise InputError("every example was held out; give more labeled rows")

    config = TrainConfig(seed=seed, user_weight=user_weight)
    if epochs is not None:
        config.epochs = epochs
    current = load_classifier(get_settings().model)
    before = {name: evaluate(current, rows) for name, rows in held_out.items()}
    result = train(
        train_set,
        calibration,
        config,
        progress=lambda msg: click.echo(msg, err=True),
        urgency_rows=hand_dev,
        sentiment_rows=sentiment_rows,
        urgency_extra=urgency_extra,
        floor_rows=floor_rows,
    )
    try:
        save(result, output)
    except OSError as exc:
        raise InputError(f"cannot write the model: {exc.strerror}", path=str(output)) from None
    after = {name: evaluate(TrainedClassifier.load(output), rows) for name, rows in held_out.items()}

    click.echo(f"trained on {result.n_train} examples in {result.seconds:.0f}s -> {output}")
    click.echo(f"before: {current.version}\nafter:  {result.version}")
    if not held_out:
        click.echo("no held-out rows to compare on (use --hold-out or the shared corpora)")
    for name in held_out:
        click.echo(f"\n{name}: {int(before[name]['n'])} examples")
        click.echo(f"  {'metric':<32}{'before':>10}{'after':>10}")
        for key in METRICS:
            if key in before[name] and key in after[name]:
                click.echo(f"  {key:<32}{before[name][key]:>10.3f}{after[name][key]:>10.3f}")


METRICS = (
    "sentiment_macro_f1",
    "complaint_macro_f1",
    "label_macro_f1",
    "thank_precision_complaint_rate",
    "thank_coverage_of_positive",
    "needs_review_rate",
)
