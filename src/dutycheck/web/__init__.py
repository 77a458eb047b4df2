"""`dutycheck serve`: a local web workbench over the SQLite store, for reviewers who never
open a terminal.

- tasks.py    审查任务 (region + year): the task tables, intake of uploaded files, .zip
              archives and local folders (checked by content, stored under generated
              names), and the background auditor that resumes after a restart.
- views.py    what the pages show, read from the store through the library (a Batch
              rebuilt from stored rows, the stored audit, the report's text).
- app.py      the Flask app: routes parse the request, call tasks/views, render a template.
              Loopback by default, password for any other host, CSRF token on every change.
- templates/, static/   Jinja templates (autoescaped) and one CSS and one JS file, no CDN.
"""
