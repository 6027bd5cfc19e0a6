"""/guide/: the public service guide with its stage diagram."""
