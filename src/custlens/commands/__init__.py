"""CLI commands of the analyses, one module each with ``register(app: typer.Typer) -> None``.

Example module::

    from custlens.commands._common import JsonOpt, StoreOpt, clean, emit_json

    def register(app):
        @app.command()
        @clean
        def churn(store: str = StoreOpt, as_json: bool = JsonOpt) -> None:
            \"\"\"Churn risk ... Example: custlens churn --json\"\"\"
            ...
"""
