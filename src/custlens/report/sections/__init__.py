"""Report sections, one module per analysis.

Every module in this package is imported when a report is built, so a new section is a
new module here with a function decorated by `custlens.report.registry.register_section`
(see that module for the rules).
"""
