"""The programme app's HTML views, one module per job: browse (public pages), edit (the tree),
parties (hovedansvar and samarbeidsparter, the organisation picker), excel, history, status,
rolling (rolling, outcomes, comparison). Every view is guarded by partnerskap.access."""
