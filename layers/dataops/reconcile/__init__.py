"""Making DynamoDB and OpenSearch agree: the external version rule, versioned bulk writes to the index, writes back
to the table, "one side wins" resolution of the comparison engine's differences, and settling an index after a
bulk rewrite. Sync (full, fanned out and continuous), restore, reset and import all write through here."""
