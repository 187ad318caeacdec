"""The three stacks a deployment is made of: storage, operations and monitoring."""
