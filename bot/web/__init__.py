"""The web process: its HTTP server (bot/web/http.py), shared by the Telegram webhook."""
