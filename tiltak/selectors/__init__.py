"""Every read that a page, the API, an export or the benchmark needs, one module per job:
programmes (who sees what, the list), tree (a programme's whole hierarchy), search (tiltak lists
and one tiltak), ansvar (organisations and what each leads or collaborates on), history,
comparison. Each keeps its query count independent of the data (select_related /
prefetch_related, no per-row lookups) and orders explicitly: the models have no default ordering
through foreign keys. Import from the module, not from this package."""
