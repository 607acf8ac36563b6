"""Monthly dashboards per client organisation: figures (`metrics`), page and charts (`render`),
store and files (`collect`, `command`)."""
