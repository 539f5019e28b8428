"""Who may do what: roles, permissions and the organisation-scope policy (pure, no I/O)."""
