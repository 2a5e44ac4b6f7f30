"""Coaching text as data: nudges, reflection questions and messages, loaded by bot.prompts."""
