// Runs after every e2e test (a dependent project in playwright.config.ts):
// reads what isolation.spec.ts noted and checks that the tests were spread
// over several workers, that each worker had a server of its own (or, under
// `otpcatch run`, that all used the one OTPCATCH_API_URL names), and that
// no two tests shared an address.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { expect, serverRecords, test } from './fixtures';

interface ServerRecord {
  workerIndex: number;
  apiUrl: string;
  address: string;
  test: string;
}

test('each worker used a server of its own, and each test an address of its own', () => {
  const dir = serverRecords(test.info());
  const records: ServerRecord[] = fs.readdirSync(dir).map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
  expect(records.length).toBeGreaterThanOrEqual(8);
  expect(new Set(records.map((r) => r.address)).size).toBe(records.length);

  const servers = new Map<number, Set<string>>();
  for (const record of records) servers.set(record.workerIndex, (servers.get(record.workerIndex) ?? new Set()).add(record.apiUrl));
  expect(servers.size, 'workers that ran the isolation tests').toBeGreaterThanOrEqual(2);
  for (const [worker, urls] of servers) expect([...urls], `servers of worker ${worker}`).toHaveLength(1);

  const urls = [...servers.values()].map((set) => [...set][0]);
  if (process.env.OTPCATCH_API_URL) {
    expect(new Set(urls)).toEqual(new Set([process.env.OTPCATCH_API_URL]));
  } else {
    expect(new Set(urls).size, 'distinct servers').toBe(servers.size);
  }
  test.info().annotations.push({ type: 'workers', description: `${servers.size} workers, ${new Set(urls).size} servers, ${records.length} tests` });
});
