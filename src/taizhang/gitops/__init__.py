"""git: commits, history, the item-level merge driver."""
