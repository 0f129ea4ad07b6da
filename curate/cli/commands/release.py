"""`curate release|diff|verify|replay|show`: publish a release, compare, check and
rebuild releases, and read their events."""

import enum
from pathlib import Path
from typing import Annotated

import typer

from curate.cli.memory import return_freed_memory
from curate.cli.options import FormatOption, OutputFormat
from curate.cli.output import emit, emit_json, say
from curate.cli.progress import stages
from curate.cli.tables import tables_at

__all__ = ["register"]


class BumpLevel(enum.StrEnum):
    """How `curate release --bump` chooses the next version."""

    auto = "auto"
    major = "major"
    minor = "minor"
    patch = "patch"


def release_command(
    dataset: Annotated[Path, typer.Argument(help="The dataset directory.")],
    version: Annotated[str | None, typer.Option("--version", help="The version, X.Y.Z.")] = None,
    bump: Annotated[
        BumpLevel | None,
        typer.Option(
            "--bump",
            help="auto: records added or retracted -> minor, only revisions -> patch, "
            "a schema major -> major.",
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Publish releases/<version>/: Parquet, datapackage.json, CODEBOOK.md, CHANGES.md,
    SHA256SUMS. Honours SOURCE_DATE_EPOCH; never overwrites a version.

    Prints the release digest (the SHA-256 of SHA256SUMS), also written into the
    dataset's CHANGELOG.md: publish it, so that anyone can check a copy with
    `curate verify RELEASE --digest`.

    Examples:

      $ curate release datasets/raqqa --bump auto
      $ curate release datasets/raqqa --version 1.2.0 --format json
    """
    return_freed_memory()
    from curate.release.build import release

    with stages(output_format, "releasing") as stage:
        result = release(
            dataset,
            version=version,
            bump=None if bump is None else bump.value,
            progress=stage,
        )
    if output_format is OutputFormat.json:
        from curate.cli.documents import release_document

        emit_json(release_document(result))
        return
    since = f" (previous: {result.previous})" if result.previous else " (first release)"
    say(f"released {result.version} in {result.path}{since}")
    say(f"release digest: {result.digest}")


def diff_command(
    old: Annotated[Path, typer.Argument(help="A release directory, or a dataset (its store).")],
    new: Annotated[Path, typer.Argument(help="A release directory, or a dataset (its store).")],
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Record-level differences: added, retracted and revised records, field by field.

    Examples:

      $ curate diff datasets/raqqa/releases/1.0.0 datasets/raqqa/releases/1.1.0
      $ curate diff datasets/raqqa/releases/1.1.0 datasets/raqqa --format json
    """
    return_freed_memory()
    from curate.release.changes import diff_tables, render_changes
    from curate.schema.loader import load_schema

    schema = load_schema()
    diffs = diff_tables(tables_at(old, schema), tables_at(new, schema), schema)
    if output_format is OutputFormat.json:
        from curate.cli.documents import diff_document

        emit_json(diff_document(diffs))
    else:
        emit(render_changes(diffs, f"{old} → {new}"), None)


def verify_command(
    release_dir: Annotated[Path, typer.Argument(help="A release directory.")],
    digest: Annotated[
        str | None,
        typer.Option(
            "--digest",
            help="The published release digest, sha256:<hex> (from the dataset's CHANGELOG.md "
            "or citation): refuse the release unless it is exactly that one.",
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Check that the release is exactly what curate writes: every file's sha256, the
    descriptor, the Parquet types, the records re-validated.

    Prints the release digest it computed: compare it with the published one, or give
    that with --digest. Only the digest tells a self-consistent forgery (every hash
    recomputed) from the published release.

    Example:

      $ curate verify datasets/raqqa/releases/1.1.0 --digest sha256:<hex>
    """
    return_freed_memory()
    from curate.errors import EXIT_INVALID
    from curate.release.verify import check_digest, verify_release

    expected = None if digest is None else check_digest(digest)
    result = verify_release(release_dir, digest=expected)
    if output_format is OutputFormat.json:
        from curate.cli.documents import verify_document

        ok = result.ok and (expected is None or result.digest == expected)
        emit_json(verify_document(release_dir, result, expected, ok=ok))
        if not ok:
            raise typer.Exit(EXIT_INVALID)
        return
    if expected is not None and result.digest != expected:
        say(f"{release_dir}: {result.problems[0]}", err=True)
        raise typer.Exit(EXIT_INVALID)
    computed = f"release digest {result.digest}" if result.digest else "no release digest"
    if result.ok:
        checked = " (the published one)" if expected else ""
        say(f"{release_dir}: verified, {computed}{checked}")
        return
    for problem in result.problems:
        say(f"{release_dir}: {problem}", err=True)
    say(f"{release_dir}: {computed}", err=True)
    raise typer.Exit(EXIT_INVALID)


def replay_command(
    dataset: Annotated[Path, typer.Argument(help="The dataset directory.")],
    into: Annotated[
        Path | None,
        typer.Option(help="Rebuild here and keep the result (default: a temp directory)."),
    ] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Rebuild every release from inputs/<version>/ and check it is byte-identical.

    Example:

      $ curate replay datasets/raqqa-airstrikes-2015
    """
    return_freed_memory()
    from curate.errors import EXIT_INVALID
    from curate.release.replay import replay

    with stages(output_format, "replaying") as stage:
        result = replay(dataset, into=into, progress=stage)
    if output_format is OutputFormat.json:
        from curate.cli.documents import replay_document

        emit_json(replay_document(dataset, result))
        if not result.identical:
            raise typer.Exit(EXIT_INVALID)
        return
    for difference in result.differences:
        say(f"{dataset}: {difference}", err=True)
    if not result.identical:
        raise typer.Exit(EXIT_INVALID)
    say(f"{dataset}: releases {', '.join(result.versions)} rebuilt from inputs/, byte-identical")


def show_command(
    path: Annotated[Path, typer.Argument(help="A release directory, or a dataset (its store).")],
    event: Annotated[str | None, typer.Option(help="Show only this event_id.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many events.")] = 10,
) -> None:
    """Events as a person reads them, each with the claims it rests on.

    Examples:

      $ curate show datasets/raqqa/releases/1.1.0 --limit 3
      $ curate show datasets/raqqa --event evt-0042
    """
    return_freed_memory()
    from curate.cli.events import print_events
    from curate.cli.render import rich_console, visible
    from curate.errors import InputError
    from curate.schema.loader import load_schema

    out = rich_console()
    if not print_events(tables_at(path, load_schema()), out, event_id=event, limit=limit):
        raise InputError(f"{path}: no event {event!r}" if event else f"{path}: no events")
    files = sorted(path.glob("*.parquet"))
    if files:
        out.print("Parquet files of this release:")
        for file in files:
            out.print(f"  {visible(str(file))}")


def register(app: typer.Typer) -> None:
    """Add `release`, `diff`, `verify`, `replay` and `show` to the root command."""
    app.command("release")(release_command)
    app.command("diff")(diff_command)
    app.command("verify")(verify_command)
    app.command("replay")(replay_command)
    app.command("show")(show_command)
