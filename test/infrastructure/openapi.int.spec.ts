import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openApiDocument } from '../../infrastructure/http/admin/openapi.js';
import { AdminHttp } from '../../infrastructure/http/admin/admin-http.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { MetricsRegistry } from '../../infrastructure/metrics/registry.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { Lifecycle } from '../../infrastructure/lifecycle.js';
import { listen } from '../../infrastructure/http/listener.js';
import { expressRoutes } from '../support/express-routes.js';
import { tempDir } from '../support/temp-dir.js';
import { buildAdminApi } from '../support/admin-api.js';
import { systemClock } from '../../application/ports/clock.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { openSqliteDocumentStore, type SqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';

describe('OpenAPI document', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let admin: AdminHttp;
  let documents: SqliteDocumentStore;
  beforeEach(() => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    documents = openSqliteDocumentStore(join(dir.path, 'readmodels.db'));
    // With the projections' status, as the server wires it: /readyz/projections is served then.
    admin = new AdminHttp(store, new MetricsRegistry(), jsonLogger({ write: () => undefined }), new Lifecycle(), undefined, () => []);
  });
  afterEach(async () => {
    await documents.close();
    await store.close();
    dir.remove();
  });

  it('documents exactly the routes the admin listener serves, the whole admin API included', () => {
    // The admin API is a router the server mounts at the admin listener's root.
    const api = buildAdminApi({ events: store, documents }, systemClock, loadConfig({ MDM_DATA_DIR: dir.path }));
    const served = new AdminHttp(store, new MetricsRegistry(), jsonLogger({ write: () => undefined }), new Lifecycle(), undefined, () => [], api.router, api.paths);
    const documented = Object.entries(served.openApi().paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
      .sort();
    expect(expressRoutes(served.app())).to.deep.equal(documented);
    // The read side is there too, not only the operations.
    expect(documented).to.include.members(['GET /api/v1/devices', 'POST /api/v1/devices/:udid/commands', 'GET /api/v1/events']);
    expect(openApiDocument.paths).not.to.have.property('/api/v1/groups');
  });

  it('describes every request body with the schema the route checks it against', () => {
    const api = buildAdminApi({ events: store, documents }, systemClock, loadConfig({ MDM_DATA_DIR: dir.path }));
    for (const op of api.operations) {
      const documented = (api.paths[op.path.replace(/:(\w+)/g, '{$1}')]![op.method] as { requestBody?: { content: Record<string, { schema: unknown }> } }).requestBody;
      if (op.body) expect(documented?.content['application/json']?.schema, op.operationId).to.equal(op.body);
      else if (!op.rawBody) expect(documented, op.operationId).to.equal(undefined);
    }
  });

  it('is served at /openapi.json as OpenAPI 3.1', async () => {
    const l = await listen(admin.app(), '127.0.0.1', 0);
    try {
      const res = await fetch(`${l.url}/openapi.json?x=${randomUUID()}`);
      expect(res.status).to.equal(200);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).to.equal('3.1.0');
      expect(Object.keys(doc.paths)).to.include('/readyz');
    } finally {
      await l.close(1_000);
    }
  });

  it('readiness answers 503 problem details while shutting down', async () => {
    const lifecycle = new Lifecycle();
    const app = new AdminHttp(store, new MetricsRegistry(), jsonLogger({ write: () => undefined }), lifecycle).app();
    const l = await listen(app, '127.0.0.1', 0);
    try {
      expect((await fetch(`${l.url}/readyz`)).status).to.equal(200);
      lifecycle.beginShutdown();
      const res = await fetch(`${l.url}/readyz`);
      expect(res.status).to.equal(503);
      expect(res.headers.get('content-type')).to.contain('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).to.contain('shutting down');
    } finally {
      await l.close(1_000);
    }
  });
});
