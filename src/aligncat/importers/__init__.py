"""Import stage: turn other people's lists (BibTeX, awesome-list Markdown, arXiv metadata) into catalog records."""
