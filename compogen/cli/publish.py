"""``compogen publish``: synthetic data as Minari datasets (``minari.load_dataset("compogen/<task>-v0")``)."""

from __future__ import annotations

from pathlib import Path

import typer

from compogen.cli.options import quiet_option, seed_option

__all__ = ["publish", "register", "how_to_load"]


def how_to_load(ids: list[str]) -> str:
    """The lines telling a user how to load published datasets."""
    if not ids:
        return ""
    first = ids[0]
    return "\n".join(
        [
            f"load: minari.load_dataset({first!r})   (after `import compogen`; recover_environment() gives the task's simulator)",
            f"      compogen.rl.to_d4rl({first!r}), to_d3rlpy(...), to_sb3_buffer(...); compogen.offline_env({first!r})",
        ]
    )


def publish(
    data: Path | None = typer.Option(
        None, "--data", help="A synthetic file (compogen generate output, .h5/.hdf5/.npz), or real data (compogen collect output, published as real)."
    ),
    task: str | None = typer.Option(None, "--task", help="Task id of --data (default: the task the file records)."),
    dataset_id: str | None = typer.Option(
        None, "--id", help="Minari dataset id (default compogen/<task-id>-vN: v0, or the next version when the content differs); only with --data."
    ),
    run: Path | None = typer.Option(None, "--run", help="A `compogen bootstrap` run directory: publish its admitted datasets."),
    all_targets: bool = typer.Option(
        False, "--all", help="With --run: also the latest dataset of every target the run did not admit (as compogen-not-admitted/<task-id>-vN)."
    ),
    episode_actions: str | None = typer.Option(
        None,
        "--episode-actions",
        help="With --run: where the episodes sampled anew take their actions: policy (the round's validated actor, where the run kept one; the default) or generator (its own a|s).",
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace datasets with the same id (without --id: the latest version)."),
    max_transitions: int | None = typer.Option(None, "--max-transitions", min=1, help="Publish a uniform random subset of at most N transitions."),
    layout: str = typer.Option(
        "auto",
        "--layout",
        help="episodes: the data's episodes as Minari episodes (refused unless the rows chain as episodes); transitions: "
        "independent transitions, each its own one-step episode (~15 KB and a few ms each); auto: episodes when the rows "
        "chain, else transitions.",
    ),
    author: str | None = typer.Option(None, "--author", help="Minari's author field (default: git config user.name)."),
    author_email: str | None = typer.Option(None, "--author-email", help="Minari's author_email field (default: git config user.email)."),
    code_permalink: str | None = typer.Option(
        None, "--code-permalink", help="Minari's code_permalink field (default: compogen's git remote at its commit, else its version and commit)."
    ),
    seed: int = seed_option(0, "Seed of the --max-transitions subset."),
    quiet: bool = quiet_option(),
) -> None:
    """Publish synthetic (or collected real) data to Minari's datasets root (MINARI_DATASETS_PATH, else ~/.minari/datasets)."""
    from compogen.errors import CompogenError
    from compogen.publish import datasets_root, layout_summary, publish_file, publish_run

    if data is not None and episode_actions is not None:
        raise CompogenError("--episode-actions goes with --run")
    _check_options(data, task, dataset_id, run, all_targets, layout)
    kwargs = dict(
        overwrite=overwrite,
        max_transitions=max_transitions,
        layout=layout,
        seed=seed,
        author=author,
        author_email=author_email,
        code_permalink=code_permalink,
    )
    if data is not None:
        ids = [publish_file(data, task, dataset_id=dataset_id, **kwargs)]
        print(f"published {ids[0]}: {layout_summary(ids[0])}")
    else:
        ids = publish_run(run, all=all_targets, **({} if episode_actions is None else {"episode_actions": episode_actions}), **kwargs)
    if ids:
        print(f"in {datasets_root()}")
        print(how_to_load(ids))


def _check_options(data: Path | None, task: str | None, dataset_id: str | None, run: Path | None, all_targets: bool, layout: str) -> None:
    """:class:`CompogenError` unless the options make one publish: of --data or of --run, with the options that go with it."""
    from compogen.errors import CompogenError
    from compogen.publish import LAYOUT_CHOICES, check_dataset_id

    if (data is None) == (run is None):
        raise CompogenError("give exactly one of --data FILE or --run RUN_DIR")
    if run is not None and (dataset_id or task):
        raise CompogenError(
            "--id and --task go with --data (a run's datasets are named compogen/<task-id>-vN, not admitted ones compogen-not-admitted/<task-id>-vN)"
        )
    if data is not None and all_targets:
        raise CompogenError("--all goes with --run")
    if dataset_id is not None:
        check_dataset_id(dataset_id)
    if layout not in LAYOUT_CHOICES:
        raise CompogenError(f"--layout must be one of {', '.join(LAYOUT_CHOICES)}, got {layout!r}")
    if data is not None and not data.is_file():
        raise CompogenError(f"--data {data}: no such file")


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
