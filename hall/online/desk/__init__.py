"""网上受理: the online-intake desk where the first clerk to handle a filing becomes its owner."""
