"""Operations: one module per operation. They know stores and profiles, never a Lambda event."""
