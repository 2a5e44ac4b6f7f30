"""``research-coach slack …``."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.slack.manifest import manifest, to_yaml

app = typer.Typer(help="Slack: the app manifest.", no_args_is_help=True)


@app.command("manifest")
def print_manifest(
    url: Annotated[
        str | None,
        typer.Option(help="Public base URL for HTTP mode; leave out for Socket Mode."),
    ] = None,
) -> None:
    """Print the Slack app manifest (paste it at api.slack.com/apps → Create from manifest)."""
    if url is not None and not url.startswith("https://"):
        typer.echo("--url must be an https:// URL Slack can reach.", err=True)
        raise typer.Exit(2)
    typer.echo(to_yaml(manifest(url)), nl=False)
