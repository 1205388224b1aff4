"""The exit codes every command shares: 1 when a check found problems, 2 when the command
could not do its job (bad input, bad settings, a port in use, no Redis)."""

EXIT_FAILED = 1
EXIT_USAGE = 2
