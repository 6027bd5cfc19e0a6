"""免申即享: benefits the hall grants to the people its rules find, without an application."""
