"""Pages of the monitoring app: thin views that look up what the reader may see (404 otherwise), ask
the permission question (403), call a service and render."""
