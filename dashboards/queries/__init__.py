"""The query layer: one module per page. Every function takes the warehouse and the signed-in
viewer, refuses what the viewer's role may not see (``AccessDenied``) and narrows rows to the
viewer's agency inside the SQL; filter values only ever travel as ``?`` parameters."""
