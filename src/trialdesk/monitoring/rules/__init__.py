"""Pure rules of monitoring, as cited tables and plain functions over dates, numbers and words (no
database): when a visit is due, a site's risk tier, report templates and their answers, action item and
issue moves, risk scores, QTL status, signals, the carbon cost of travel and the oversight figures."""
