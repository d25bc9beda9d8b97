"""The command line: `returnbot [repl|ask|telegram|web|bench|data]` (bot/cli/main.py)."""
