"""Platform adapters: each translates platform events in and renders the core's intents out."""
