"""Writing entitlements (the one write path): one module per responsibility, listed in the app's
docstring. Every action checks the user's permission on the locked row, writes in one
transaction and records an audit event; a refused action writes nothing."""
