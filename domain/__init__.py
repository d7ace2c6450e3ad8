"""Pure business model: the canonical POS transaction, money, outcomes. No I/O."""
