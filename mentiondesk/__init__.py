"""Mention Desk: the application shell (settings, CLI, scheduler wiring, web desk)."""

__version__ = "0.1.0"
