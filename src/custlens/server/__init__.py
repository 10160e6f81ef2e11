"""The web service and dashboard (`custlens serve`; needs the ``serve`` extra).

`custlens.server.app.create_app` builds the FastAPI application; `custlens.server.analyses`
is the one adapter to the library. Importing this package does not import FastAPI.
"""
