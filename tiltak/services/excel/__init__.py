"""Import of a programme's tiltak from the Excel format that `tiltak.exports.programme_xlsx`
writes: first a preview that writes nothing, then an atomic apply.

Contract
- `programme_import_preview(*, actor, programme, data)` reads the file and returns an
  `ImportPreview`: rows that are new (empty ID), changed (field by field, old → new), removed
  (tiltak of the programme whose ID is not in the file), the number unchanged, the organisation
  names the registry does not know, `conflicts` (below), and `errors` (each naming the row and
  column as Excel shows them). It never writes and never raises for what the file holds: a
  file that cannot be read is one error. Its `fingerprint` identifies the state of the
  programme it compared against.
- `programme_import_apply(*, actor, programme, data, org_mapping, expected_fingerprint,
  conflict_choices)` reads the file again and writes everything in one transaction, or
  nothing: it raises `ImportRefused` (the file has errors, an unknown organisation or a
  conflict has no choice), `ImportStale` (the programme changed since the preview) or
  PermissionDenied.
- Both need `tiltak.import_programme` (owning planner or administrator, draft programmes only).

Older files (conflicts.py)
- The export records each tiltak's version (`Tiltak.versjon`) in the hidden last column
  Versjon and the time of the export in the document property Eksportert. A row older than
  its tiltak whose file value would undo a change made in the portal since (the tiltak's
  history at the row's version says what was changed; for parties, which do not raise the
  version, their history after the export time), a row whose tiltak was deleted since, and a
  tiltak the file leaves out that was added or changed after the export are `Conflict`s.
- Each needs a choice in `conflict_choices` (by tiltak ID): KEEP_PORTAL skips the row (or does
  not remove the tiltak), USE_FILE writes the file's values (restores a tiltak kept as
  deleted; one deleted for good comes back as a new measure; removes one the file leaves
  out). Without a choice for each, nothing is written.
- A file without the Versjon column (exported before it existed) is accepted with a warning
  that changes made in the portal since cannot be detected.

The file
- The visible sheet called "Tiltak", or else the first visible worksheet; hidden sheets and
  chart sheets are never read. Headers in row 1, matched by name in any order.
  ID, Tema, Nr and Tiltak are required; a missing optional column leaves that field as it is.
  Other columns are ignored.
- Tema, Delmål and Satsingsområde must name existing levels of the programme (by number or
  name); the import does not create or rename levels, and an unknown one is an error for its
  row. Prioritert handling belongs to the satsingsområde and is not changed by the import (a
  differing text is reported as a warning).
- Hovedansvar and Samarbeidsparter: organisation names (or abbreviations or known alternative
  names) separated by ";". Parties are compared as the list of organisations in order; only a
  role whose list changed is rewritten, new rows keep the name as written (`tekst_som_skrevet`).
- Refused with a message and nothing written (container.py, stream.py, reader.py): not an
  .xlsx workbook (an .xls, a password-protected workbook, an .ods and a CSV file are named as
  such), damaged (truncated, a bad CRC, XML that is not well-formed), larger than
  MAX_FILE_BYTES, unpacking to more than 30 times its size (at least 10 MB, at most
  MAX_UNPACKED_BYTES: zip bombs), part names that leave the archive, more than MAX_SHEET_ROWS
  rows, MAX_CELLS cells or MAX_DATA_ROWS rows of measures. Errors of a cell: a formula, an
  Excel error, a value that cannot be read (a number of 5,000 digits, a shared string that is
  not there, a date that is not one), more than MAX_CELL_CHARS characters. Control characters
  are removed from a cell, with a warning. Reading stops at the MAX_ERRORS-th error. The cost
  of a file is bounded by these limits, not by what it claims.

Writes: removed tiltak are deleted as tiltak.tiltak_delete does, with the reason
REMOVED_REASON: those with traces (tiltak.extensions.tiltak_ids_with_traces) are kept as
deleted, in bulk; the others go through tiltak_delete one by one;
unknown organisations are created with partnerskap.services.organisasjon_create. New and
changed tiltak and their parties are written directly (new ones in bulk), each with one history
row (actor and reason), after the model validation the services run (done already in the
preview, so its errors name row and column): through the services one by one, with their
per-row validation queries, a 3,000-row file took minutes. The rules are the services':
versions raised by one per changed tiltak (parties do not raise it), a tiltak moved to another
tema goes last in the programme's order, a new row without a number gets the next free one.

Modules: `types` (rows, preview, conflicts, result, errors), `container` (is it an .xlsx we
may open, which sheet), `stream` (the sheet's rows at a bounded cost), `reader` (header and
rows), `matching` (rows against the programme, parties against the organisation registry),
`conflicts` (what changed in the portal since the export), `preview`
(`programme_import_preview`), `apply` (`programme_import_apply`, `summary`).
"""
