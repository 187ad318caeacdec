"""The dataops CDK app: deployment settings, stacks and the constructs they are made of."""
