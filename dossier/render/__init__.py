"""The render stages: dossier -> HTML (Jinja) and HTML -> PDF (WeasyPrint).

Only `render.env` builds Jinja environments and only `render.pdf` imports WeasyPrint,
so `dossier check` never pays for either.
"""
