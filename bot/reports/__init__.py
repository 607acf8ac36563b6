"""Monthly dashboards per client organisation: figures (`metrics`, `outcomes`), page and charts
(`render`), data file (`export`), store and files (`collect`, `command`), mailing (`schedule`)."""
