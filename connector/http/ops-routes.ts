/** `/healthz` (each adapter's state) and `/metrics` (Prometheus text format). */
import { Router } from 'express';
import type { PbxAdapter } from '../../adapters/adapter.js';
import type { CallCenter } from '../calls/call-center.js';
import type { Metrics } from '../metrics.js';

export function opsRoutes(deps: { adapters: readonly PbxAdapter[]; metrics: Metrics; callCenter: CallCenter }): Router {
  const r = Router();

  r.get('/healthz', (_req, res) => {
    const adapters = deps.adapters.map((a) => a.health());
    const healthy = adapters.every((a) => a.state === 'connected');
    res.status(healthy ? 200 : 503).json({
      status: healthy ? 'ok' : 'degraded',
      adapters,
      callsInProgress: deps.callCenter.liveCount,
    });
  });

  r.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.text());
  });

  return r;
}
