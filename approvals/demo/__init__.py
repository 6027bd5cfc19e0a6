"""The demo catalogue: 福田区 departments, items and bundles, and the seed that loads them."""
