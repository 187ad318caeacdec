"""On-demand benchmarks against the local target (`make bench`). They print numbers and ratios; they assert nothing."""
