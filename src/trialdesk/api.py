"""The JSON API: one NinjaAPI under /api/v1/ gathering each app's router."""

from ninja import NinjaAPI

api = NinjaAPI(title="Trialdesk API", version="1", urls_namespace="api")
