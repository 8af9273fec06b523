"""The study page's integrations tabs; each context function takes (request, study) and returns a dict."""

from trialdesk.integrations.registry_views import registry_tab

# (key, label) of each tab, in the order the study page shows them.
TABS = (("registry", "Registry"),)
TAB_CONTEXT = {"registry": registry_tab}
