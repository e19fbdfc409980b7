"""Import of a programme's tiltak from the Excel format that `tiltak.exports.programme_xlsx`
writes: first a preview that writes nothing, then an atomic apply.

Contract
- `programme_import_preview(*, actor, programme, data)` reads the file and returns an
  `ImportPreview`: rows that are new (empty ID), changed (field by field, old → new), removed
  (tiltak of the programme whose ID is not in the file), the number unchanged, the organisation
  names the registry does not know, and `errors` (each naming the row and column as Excel shows
  them). It never writes. Its `fingerprint` identifies the state of the programme it compared
  against.
- `programme_import_apply(*, actor, programme, data, org_mapping, expected_fingerprint)` reads
  the file again and writes everything in one transaction, or nothing: it raises
  `ImportRefused` (the file has errors, or an unknown organisation has no choice),
  `ImportStale` (the programme changed since the preview) or PermissionDenied.
- Both need `tiltak.import_programme` (owning planner or administrator, draft programmes only).

The file
- The first sheet (or the one called "Tiltak"), headers in row 1, matched by name in any order.
  ID, Tema, Nr and Tiltak are required; a missing optional column leaves that field as it is.
  Other columns are ignored.
- Tema, Delmål and Satsingsområde must name existing levels of the programme (by number or
  name); the import does not create or rename levels, and an unknown one is an error for its
  row. Prioritert handling belongs to the satsingsområde and is not changed by the import (a
  differing text is reported as a warning).
- Hovedansvar and Samarbeidsparter: organisation names (or abbreviations or known alternative
  names) separated by ";". Parties are compared as the list of organisations in order; only a
  role whose list changed is rewritten, new rows keep the name as written (`tekst_som_skrevet`).
- Refused with nothing written: not an .xlsx workbook, larger than MAX_FILE_BYTES or unpacking
  to more than MAX_UNPACKED_BYTES (zip bombs), more than MAX_DATA_ROWS rows (counting stops
  there, the sheet is streamed in read-only mode), formulas or Excel errors in any cell.

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

Modules: `types` (rows, preview, result, errors), `container` (is it an .xlsx we may open),
`reader` (header and rows), `matching` (rows against the programme, parties against the
organisation registry), `preview` (`programme_import_preview`), `apply`
(`programme_import_apply`, `summary`).
"""
