"""Regulator dossiers: one PDF that proves a case, with evidence anyone can verify.

Pure (data in, bytes out; no vault, no UI): :mod:`.model` is the data a dossier is made from (gathered by
``mybnpl.services.dossier``), :mod:`.body` lays it out with :mod:`mybnpl.pdfdoc`, :mod:`.manifest` and
:mod:`.signing` describe and sign the originals, :mod:`.assemble` merges PDF evidence pages and attaches the
originals with PDFium — only ever in the PDF worker process (:mod:`.worker`, driven by :mod:`.isolated`) —, and
:mod:`.verify` checks a dossier file.
"""
