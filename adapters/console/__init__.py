"""The console adapter: the whole coach in a terminal, with no tokens."""

from adapters.console.app import ConsoleAdapter, run_console
from adapters.console.session import ConsoleSession

__all__ = ["ConsoleAdapter", "ConsoleSession", "run_console"]
