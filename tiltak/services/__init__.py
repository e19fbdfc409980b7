"""Every write to programmes and their tree, in modules of one job each:

- `programme`: a programme itself (create; change its name, subtitle, description, period,
  plans and the name of its top level)
- `structure`: tema, delmål and satsingsområde (create, update, delete, move)
- `tiltak`: tiltak (create, update, move, renumber, delete, restore a deleted one)
- `ansvar`: the parties of a tiltak (Ansvar)
- `concurrency`: a tiltak's version, and what someone else changed (`ConcurrencyConflict`)
- `traces`: whether a deleted tiltak must be kept (`tiltak_has_traces`)
- `history`, `workflow`, `rolling`, `copying`, `excel/`: restoring a version, the programme's
  status, the next period's programme, copying a tree, the Excel import
- `common`: what they share (permission check, validation, saving with the actor and reason,
  the fields each update accepts)

Every service is `<entity>_<verb>(*, actor, ...)`: keyword-only with the acting user first, it
runs in one transaction, checks the django-rules permission itself (so the HTML views, the API
and scripts cannot differ), validates with `full_clean()` and leaves a history row naming the
actor (django-simple-history). The Django admin is read-only for the programme tree
(tiltak/admin.py). `copying.copy_tree` is a building block of rolling, not a service: it checks
no permission.

Errors, all raised before anything is written (or rolled back with the transaction). The
error classes live in partnerskap/errors.py (`ServiceError`, `Conflict`), which also says how
the API and the HTML views answer each of them:
- `django.core.exceptions.PermissionDenied`: the actor may not do this at all.
- `django.core.exceptions.ValidationError`: a field value is wrong; `message_dict` is keyed by
  the model field name (or the argument, such as `reason`), messages are translated and say
  which field.
- `ServiceError`: the domain refuses (the programme is adopted, the tema still has tiltak, ...);
  `str(exc)` is a translated sentence for the user.
- `ConcurrencyConflict` (a `Conflict`, so a ServiceError; concurrency.py): `tiltak_update` was
  given a stale `expected_versjon`.

Permissions (tiltak/rules.py): structural changes need `tiltak.edit_structure` (refused when the
programme is adopted or archived); a tiltak's progress fields (`PROGRESS_FIELDS`) need only
`tiltak.edit_tiltak_progress`, so they stay editable in an adopted programme.

Reasons: a reason the user wrote (for a change, a deletion, a status change) longer than
`tiltak.models.REASON_MAX_LENGTH` is refused with a ValidationError naming the field and the
limit, never cut; a reason the system composes may be shortened (common.py).

Bulk operations (renumber, moving a tema, delmål or satsingsområde with what it holds,
reordering) save many rows; one that does not validate fails the whole operation with a
ValidationError that names the row and the field («Measure 3.35: Title: …», common.row_errors).

Numbering: tiltak are numbered within their tema ("3.11") and those numbers are cited in hearing
answers and reports, so nothing renumbers behind the planner's back: a tiltak moved to another
tema gets the next free number there, gaps left behind stay until the planner renumbers the tema
with `tiltak_renumber`.

Versions: `Tiltak.versjon` is raised by every write to the tiltak row (update, move, renumber,
soft delete, restore). Responsibilities (`Ansvar`) are rows of their own with their own history
and do NOT raise the tiltak's version: two planners adding parties at the same time cannot
overwrite each other (each party is its own row, duplicates are refused), and a party added in
one browser tab must not make the planner's open edit form of the same tiltak conflict.
"""
