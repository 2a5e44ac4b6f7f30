"""Scheduled work: weekly check-in prompts, reminders, team digests, channel nudges.

One short tick finds what is due (from instants stored in UTC), claims it as delivery rows
under a unique key, and an outbox sends pending rows through each platform's Messenger.
"""
