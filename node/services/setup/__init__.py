"""Setting a real school up from its own files: year, classes, people, load, timetable.

``sheets`` describes every sheet and column once; everything else reads that description.

Entry points (for the CLI and the screens):

- ``run.check_setup(actor, paths)`` / ``run.import_setup(actor, paths)`` → ``SetupReport``;
  ``run.run_setup(actor, reader.read_files(paths), write=…)`` for files already read.
  Both take ``progress=(stage, done, total)``; both raise only ``Forbidden`` — every problem
  of the files is in ``SetupReport.problems`` (``Problem``: sheet, row, column, message;
  ``str()`` is the line to show), and then nothing was written.
- ``export.export_school`` and ``writer`` write the same shape back (template, export, CSV);
  ``codes`` gives the access codes of what was imported.

Modules: ``reader`` (files → rows of cells), ``cells`` (a cell as its column's type),
``rows`` (typed rows, repeated rows), ``context`` (what the importers share), one importer
module per group of sheets (``calendar``, ``catalog``, ``staff``, ``students``,
``teaching``), ``report`` (what was done).
"""
