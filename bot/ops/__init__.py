"""Running the bot as a service: logging set-up and `paperbot doctor`; no Discord here."""
