"""`drafter serve`: the questionnaire as a local web form.

Stack: the standard library's http.server (drafter/web/server.py) and Jinja2 templates
rendered on the server (drafter/web/templates), with one small script for autosave and
the date picker (drafter/web/static). No web framework: the app is a dozen pages for one
person on one machine, and what a framework would bring (routing, form parsing) is a few
lines, while what matters here (token, CSRF, host and path checks) has to be written
explicitly anyway. It costs no dependency and little start-up time (http.server,
importing about 15 ms, plus Jinja2, which drafter already needs). Nothing here is
imported by other commands.
"""
