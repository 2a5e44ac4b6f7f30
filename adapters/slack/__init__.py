"""The Slack adapter: slash commands, modals, DM reflections and App Home, through Bolt."""
