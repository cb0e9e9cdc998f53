"""The web pages: served by `custody serve` itself, every asset with them (api/web/static),
so that no page loads anything from outside the service."""
