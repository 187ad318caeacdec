"""The `dataops` command line: the same operations as the Lambda functions, in-process or remote."""
