"""Tender documents: the only room that reads, renders and writes PDF files.

A document asset is a PDF whose pages hold vector drawings, text and embedded images. This
room opens one within limits (:mod:`.reading`), renders its pages at a reference resolution
for search and registration (:mod:`.render`, pypdfium2), and writes a recipient's copy in
which every vector path and text line is moved by the recipient's geometric field
(:mod:`._content`, pikepdf). It never decides anything about recipients: the field comes in
as a function of page coordinates.
"""
