"""Programs, studies, protocol versions, arms and milestones: the portfolio and each study's setup."""
