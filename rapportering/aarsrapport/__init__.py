"""The annual report of a programme and year: selectors (every table), exports (PDF, .xlsx)."""
