"""Reports: Markdown tables and plots from datasets and runs."""
