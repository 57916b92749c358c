"""The HTTP edge: negotiation, caching, CORS, problem details, parameters, OpenAPI, routers."""
