"""The Telegram front end: `returnbot telegram --polling|--webhook` (bot/telegram/app.py)."""
