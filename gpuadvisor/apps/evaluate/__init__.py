"""What an expression's value is, from the source alone (never imported or run)."""
