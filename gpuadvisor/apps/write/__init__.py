"""Provider syntax, translations of an app's findings, and rewrites written back to its files."""
