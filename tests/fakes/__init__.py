"""Fakes of external services, each on 127.0.0.1 port 0, recording what they received."""
