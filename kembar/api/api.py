from ninja import NinjaAPI

api = NinjaAPI(title="kembar API", version="1")
