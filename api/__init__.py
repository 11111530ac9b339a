"""The running service: settings, MongoDB store, marketplace rules, auth, HTTP app, CLI."""
