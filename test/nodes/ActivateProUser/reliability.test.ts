// Jest (ActivatePro User): retries, rate limits, dropped connections, waits and secrets, counted in sandbox requests.
import { sleep } from 'n8n-workflow';

import { runNode } from '../../../scripts/engine/engine-runner';
import { AP_KEY, apCredentials, startActivatePro } from '../../helpers/activatepro-fixture';
import { sandboxPerFile } from '../../helpers/perFile';

const sandbox = sandboxPerFile(() => startActivatePro({ processingDelayMs: 10 }));

const NODE = 'n8n-nodes-rankr.activateProUser';
const upsert = { operation: 'upsert', userId: 'r-1', email: 'r1@example.com', attributesJson: '{}' };
const run = (parameters: Record<string, unknown>, items: Array<Record<string, unknown>> = [{}]) =>
	runNode({ type: NODE, parameters, items, credentials: apCredentials(sandbox) });

test.each([500, 502, 503, 504])('a burst of %i is retried with backoff and the upsert goes through once', async (status) => {
	sandbox.faults.add({ route: 'PUT /users', kind: 'status', status, times: 2 });
	const r = await run({ ...upsert, options: { waitForCompletion: true } });
	expect(r.error).toBeUndefined();
	expect(sandbox.requests('PUT /users')).toHaveLength(3);
	expect(sandbox.tracking.size).toBe(1);
	expect(sandbox.users.get('r-1')).toBeDefined();
});

test('an outage longer than the retry budget ends in a clear error after 6 attempts', async () => {
	sandbox.faults.add({ route: 'PUT /users', kind: 'status', status: 503, times: 50 });
	const r = await run(upsert);
	expect(r.error?.message).toBe('ActivatePro failed with HTTP 503 while trying to create or update user "r-1", after 6 attempts');
	expect(sandbox.requests('PUT /users')).toHaveLength(6);
});

test('429 waits as Retry-After says, then succeeds', async () => {
	sandbox.faults.add({ route: 'GET /users/', kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: { message: 'slow down' } });
	sandbox.users.set('r-2', { id: 'r-2', email: 'r2@example.com' });
	const started = Date.now();
	const r = await run({ operation: 'get', userId: 'r-2' });
	expect(r.success[0].json.id).toBe('r-2');
	expect(sandbox.requests()).toHaveLength(2);
	expect(Date.now() - started).toBeGreaterThanOrEqual(950); // the wait it was told, not a guess
});

test('other 4xx are never retried', async () => {
	sandbox.faults.add({ route: 'PUT /users', kind: 'status', status: 409, body: { message: 'conflict' } });
	const r = await run(upsert);
	expect(r.error?.message).toBe('ActivatePro answered HTTP 409 while trying to create or update user "r-1"');
	expect(sandbox.requests()).toHaveLength(1);
});

test('a dropped connection is retried; an answer lost after processing does not duplicate the upsert', async () => {
	sandbox.faults.add({ route: 'PUT /users', kind: 'drop' });
	sandbox.faults.add({ route: 'PUT /users', kind: 'dropAfterProcess' });
	const r = await run({ ...upsert, options: { waitForCompletion: true } });
	expect(r.error).toBeUndefined();
	expect(sandbox.requests('PUT /users')).toHaveLength(3);
	expect(sandbox.users.size).toBe(1); // PUT is an upsert: applying it twice leaves one user
});

test('an unreachable API says where it tried, and never shows the key', async () => {
	const r = await runNode({ type: NODE, parameters: { operation: 'get', userId: 'x' }, items: [{}], credentials: { activateProApi: { apiKey: AP_KEY, baseUrl: 'http://127.0.0.1:9' } } });
	expect(r.error?.message).toMatch(/^Could not reach ActivatePro at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\) after 6 attempts$/);
	expect(r.serialized).not.toContain(AP_KEY);
}, 60_000);

test('a stuck request times out with the tracking id to check later', async () => {
	sandbox.stuck = true;
	const r = await run({ ...upsert, options: { waitForCompletion: true, timeout: 1 } });
	const trackingId = [...sandbox.tracking.keys()][0];
	expect(r.error?.message).toBe(`ActivatePro had not finished after 1 s; still pending: tracking ID ${trackingId}`);
	expect(r.error?.description).toMatch(/Get Request Status/);
});

test('a tracking id that disappears mid-wait is reported as unknown or expired', async () => {
	sandbox.stuck = true;
	const pending = run({ ...upsert, options: { waitForCompletion: true, timeout: 20 } });
	await sleep(300);
	sandbox.tracking.clear();
	const r = await pending;
	expect(r.error?.message).toMatch(/^Tracking ID [0-9a-f-]+ is unknown or expired \(tracking ids live 24 hours\)$/);
});

test('batch: a 5xx on one request is retried; exactly ceil(N/1000) batches are accepted', async () => {
	sandbox.faults.add({ route: 'POST /users/batch', kind: 'status', status: 502, times: 1 });
	const items = Array.from({ length: 1001 }, (_, i) => ({ id: `f-${i}`, email: `f${i}@example.com` }));
	const r = await run({ operation: 'batch', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributeSource: 'none', options: { waitForCompletion: true } }, items);
	expect(r.error).toBeUndefined();
	expect(sandbox.requests('POST /users/batch')).toHaveLength(3);
	expect(sandbox.tracking.size).toBe(2);
	expect(sandbox.users.size).toBe(1001);
});

test('the key never appears in outputs or errors across operations', async () => {
	sandbox.users.set('s-1', { id: 's-1', email: 's1@example.com' });
	const runs = await Promise.all([
		run({ operation: 'get', userId: 's-1' }),
		run({ operation: 'get', userId: 'missing' }),
		run({ ...upsert, attributesJson: '{"favouriteColour":"x"}' }),
		run({ operation: 'getStatus', trackingId: 'nope' }),
	]);
	for (const r of runs) expect(r.serialized).not.toContain(AP_KEY);
});
