"""The coaching flows behind ``Coach.handle``."""

from bot.coach.coach import Coach

__all__ = ["Coach"]
