"""``make update-api``: derive ``proto/``, the contract and the parity fixture from the pinned upstream."""
