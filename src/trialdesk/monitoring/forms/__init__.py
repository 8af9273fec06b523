"""Forms of the monitoring pages: they render and check fields; the pages call the services to save."""
