"""The study page's safety tabs; each context function takes (request, study) and returns a dict."""

# (key, label) of each tab, in the order the study page shows them.
TABS = ()
TAB_CONTEXT = {}
