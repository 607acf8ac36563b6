"""One module per operator command that does more than a few lines."""
