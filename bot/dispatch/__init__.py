"""From a committed message to tickets: decide (pure), then write (one transaction each)."""
