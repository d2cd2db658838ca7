"""Views: one function per capability, the one layer between the store and
analytics below and every surface above (API routes, UI pages, CLI commands,
exports).

Every view takes the :class:`graph.scope.Scope` of who is asking first, then
typed parameters, checks the role, reads only through the scope, writes the
audit entry, and returns a typed result model (:mod:`views.models`), so the
OpenAPI schema documents each column.  Whole-database projections and
aggregates are cached per (data version, compartment) (:mod:`views.cache`);
heavy analytics run within a time and size budget or become jobs
(:mod:`views.jobs`).
"""
