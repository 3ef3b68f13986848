"""A loopback emulator of Iterable's REST API (users, events, commerce, catalogs, export).

`sandbox.iterable.app.build_app` builds the ASGI app; `sandbox.iterable.testing.running_iterable`
serves it on a free port; `sandbox.iterable.inspect.IterableInspector` reads what it stored
over HTTP.
"""
