"""CDK assertions on the synthesized stacks; one App per run (see conftest.py)."""
