from ninja import NinjaAPI

api = NinjaAPI(title="Sangdam API", version="1", urls_namespace="api-v1")
