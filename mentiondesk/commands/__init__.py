"""One module per `mentiondesk` subcommand; each defines `command`."""
