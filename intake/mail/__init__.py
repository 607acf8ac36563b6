"""Email: parsing, threading, composing, and the connectors that read and send it."""
