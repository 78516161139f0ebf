"""The rendering kit every job's renderers use (terminal listings, format names, JSON).

- :mod:`opsbook.render.terminal` — consoles and listings that never cut or wrap identifiers,
  serials, dates or paths (other columns fold first; if even that does not fit, each row is
  printed as ``name: value`` lines);
- :mod:`opsbook.render.formats` — parsing ``--format table,json,html`` once.
"""
