"""Permissions of the board's dashboard and the case papers (saksframlegg). The object is a
Handlingsprogram, or a Saksframlegg (which belongs to one: `program`).

| permission                         | who                                          |
|------------------------------------|----------------------------------------------|
| rapportering.view_dashboard        | admin, board members, the owning planner     |
| rapportering.view_saksframlegg     | admin, board members, the owning planner     |
| rapportering.change_saksframlegg   | admin, the owning planner (also: create)     |

Imported by rapportering.apps.ready(), so the names exist before the first request.
"""

import rules

from partnerskap.rules import is_administrator, is_board_member
from tiltak.rules import is_owning_planner

can_read = is_administrator | is_board_member | is_owning_planner

rules.add_perm("rapportering.view_dashboard", can_read)
rules.add_perm("rapportering.view_saksframlegg", can_read)
rules.add_perm("rapportering.change_saksframlegg", is_administrator | is_owning_planner)
