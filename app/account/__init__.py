"""The signed-in person's own account: their devices (sessions) and their password."""
