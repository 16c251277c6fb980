"""The `mentiondesk` command. Each subcommand lives in its own module under mentiondesk/commands/ and is
imported only when used, so `mentiondesk --help` stays fast and one broken command cannot break the rest."""

from __future__ import annotations

import importlib
from typing import Any

import click

from mentiondesk.core.errors import MentionDeskError

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module, help)
    "init": ("mentiondesk.commands.init", "Write a commented starter brands.toml and .env."),
    "db": ("mentiondesk.commands.db", "Database: upgrade, current, check, backup, purge deleted and expired mentions."),
    "demo": ("mentiondesk.commands.demo", "Run the whole pipeline on built-in data; no keys needed."),
    "import": ("mentiondesk.commands.import_", "Import a JSONL or CSV export of mentions."),
    "classify": ("mentiondesk.commands.classify", "Classify texts from CSV/JSONL/stdin; JSON lines out."),
    "train": ("mentiondesk.commands.train", "Train a classifier model from labeled data and desk corrections."),
    "queue": ("mentiondesk.commands.queue", "List, show, approve, reject and send drafted replies."),
    "relabel": ("mentiondesk.commands.relabel", "Correct a mention's category (teaches the next model)."),
    "simulate": (
        "mentiondesk.commands.simulate",
        "Run the local simulator of every platform.",
    ),
    "poll": ("mentiondesk.commands.poll", "Poll every configured source."),
    "run": ("mentiondesk.commands.run", "Run the scheduled service: polling, sending, housekeeping."),
    "sources": ("mentiondesk.commands.sources", "Each source's health, cursor and rate-limit state."),
    "budget": ("mentiondesk.commands.budget", "A month's API requests, posts read, replies and dollars."),
    "serve": ("mentiondesk.commands.serve", "Serve the web desk."),
    "user": ("mentiondesk.commands.user", "Manage desk accounts."),
    "forget": ("mentiondesk.commands.forget", "Erase everything stored about one author (audited without the text)."),
    "report": ("mentiondesk.commands.report", "Write a brand's weekly report (HTML with charts, or PDF)."),
    "alerts": ("mentiondesk.commands.alerts", "Check the alert rules now and send what is due; send a test alert."),
    "reply": ("mentiondesk.commands.team:reply", "Write a reply to a mention; it waits for approval."),
    "assign": ("mentiondesk.commands.team:assign", "Give a mention or case to a person."),
    "note": ("mentiondesk.commands.team:note", "Add an internal note to a mention or case (never sent)."),
    "tag": ("mentiondesk.commands.team:tag", "Tag a mention by hand, or remove tags."),
    "search": ("mentiondesk.commands.search", "Full-text search over mentions, authors and replies."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, _, attribute = COMMANDS[cmd_name][0].partition(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute or "command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MentionDeskError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=LazyGroup)
@click.version_option(package_name="mentiondesk")
@click.option("-v", "--verbose", is_flag=True, help="Log debug details to stderr (secrets are redacted).")
def main(verbose: bool) -> None:
    """Mention Desk: listen for brand mentions, sort them, draft replies for approval."""
    from mentiondesk import logs

    logs.configure(verbose)


if __name__ == "__main__":
    main()
