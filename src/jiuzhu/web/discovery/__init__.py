"""Proactive discovery (主动发现与预警, issue 6; docs/decisions/0007): the low-income population
register, the monthly discovery run over the registry, the register and the department feeds
(signals evaluated by ``jiuzhu.batch.pipelines.discover``), and the alert workflow (inbox,
assignment, home visit, outcome). An alert never changes an entitlement by itself."""
