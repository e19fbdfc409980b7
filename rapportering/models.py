# Models arrive with the hearing and reporting issues.
