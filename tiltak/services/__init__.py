"""Every write to programmes and their tree. Modules by capability; each function is
`<entity>_<verb>(*, actor, ...)`, keyword-only, atomic, validates with full_clean() and records
who did it in the history (django-simple-history)."""
