"""Site start-up: what a site needs before activation, the activation and close-out gates, cycle times."""
