"""The web front end: a public page (`/`) and a small JSON API over the same answers as the
command line and the Telegram bot, served by the `web` process beside the Telegram webhook
or alone (see docs/ARCHITECTURE.md, "The web page and the API")."""
