"""Self-service: answers from the knowledge base, redirections, bursts of duplicates, confirmations."""
