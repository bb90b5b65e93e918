"""The dashboard: a Streamlit app (``streamlit_app.py`` and one module per page in
``app_pages/``) over a query layer (``queries/``) that opens the warehouse read-only and applies
the signed-in viewer's row-level rules inside parameterised SQL. Pages call only the query layer.
"""
