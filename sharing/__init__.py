"""Share links: a parent's decision to show one finished picture to someone outside the family."""
