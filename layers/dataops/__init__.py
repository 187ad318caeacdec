"""dataops: data operations for an AWS application's stores."""

__version__ = "0.1.0"
