// Fleet mode: two `hostguard serve` daemons (hosts alpha and beta) writing to one real PostgreSQL
// database (a throwaway cluster on 127.0.0.1); either one's API lists both hosts and reads either's
// history with ?host=. Skipped, saying why, without the PostgreSQL server binaries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresCluster, postgresBinDir, startPostgres } from '../helpers/postgres.ts';
import { cleanUp, eventually, FAST_SAMPLING, getJson, type RunningDaemon, startDaemon } from './serveDaemon.ts';

const binDir = postgresBinDir();
if (binDir === undefined) process.stdout.write('serveFleet.test.ts: skipped: no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install -y postgresql)\n');

let cluster: PostgresCluster | undefined;
let alpha: RunningDaemon;
let beta: RunningDaemon;

beforeAll(async () => {
  if (binDir === undefined) return;
  cluster = await startPostgres(binDir);
  const url = await cluster.createDatabase('fleet');
  alpha = await startDaemon({ config: FAST_SAMPLING, fixtureProc: true, args: ['--db', url], env: { HOSTGUARD_STORE_HOST_ID: 'alpha' } });
  beta = await startDaemon({ config: FAST_SAMPLING, fixtureProc: true, args: ['--db', url], env: { HOSTGUARD_STORE_HOST_ID: 'beta' } });
}, 60_000);

afterAll(async () => {
  await cleanUp();
  await cluster?.stop();
});

describe.skipIf(binDir === undefined)('hostguard serve in fleet mode (PostgreSQL)', () => {
  it('keeps each host apart in one database, and any daemon answers for any host', async () => {
    expect(alpha.output()).toMatch(/store postgres postgres:\/\/postgres@127\.0\.0\.1:\d+\/fleet \(host alpha\)/);
    expect((await getJson(`${alpha.baseUrl}/health`)).body).toMatchObject({ status: 'ok', store: { kind: 'postgres', ok: true } });
    const hosts = await eventually('both hosts in the store', async () => {
      const body = (await getJson(`${alpha.baseUrl}/api/v1/hosts`)).body as { self: string; hosts: Array<{ hostId: string }> };
      return body.hosts.length === 2 ? body : undefined;
    });
    expect(hosts.self).toBe('alpha');
    expect(hosts.hosts.map((h) => h.hostId).sort()).toEqual(['alpha', 'beta']);
    type History = { series: Record<string, Array<{ avg: number }>> };
    const betaFromAlpha = await eventually("beta's history through alpha", async () => {
      const body = (await getJson(`${alpha.baseUrl}/api/v1/metrics/history?start=-5m&fields=memory_used_percent&host=beta`)).body as History;
      return (body.series['memory_used_percent'] ?? []).length > 0 ? body : undefined;
    });
    expect(betaFromAlpha.series['memory_used_percent']?.[0]?.avg).toBeGreaterThan(0);
    const fromBeta = (await getJson(`${beta.baseUrl}/api/v1/hosts`)).body as { self: string };
    expect(fromBeta.self).toBe('beta');
    const alphaFromBeta = (await getJson(`${beta.baseUrl}/api/v1/metrics/history?start=-5m&fields=memory_used_percent&host=alpha`)).body as History;
    expect((alphaFromBeta.series['memory_used_percent'] ?? []).length).toBeGreaterThan(0);
    const unknown = (await getJson(`${alpha.baseUrl}/api/v1/metrics/history?start=-5m&fields=memory_used_percent&host=gamma`)).body as History;
    expect(unknown.series['memory_used_percent'] ?? []).toEqual([]);
  });
});
