"""The non-financial credit score: ten communication risk indicators joined with the bureau
score at the credit decision, a monotone LightGBM default model scaled to points, reason codes,
a validation report per version (see ``indicators``, ``scorecard``, ``model``, ``validation``,
``pipeline``; features: ``features.export_features``)."""
