"""One construct per concern; the stacks compose them."""
