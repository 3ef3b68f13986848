"""Pieces both emulators share: the loopback server runner, the request log, fault injection."""
