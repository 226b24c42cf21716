// Jest (ActivatePro User): bounded waits and masked secrets when the upstream misbehaves.
// Broken upstreams never stall the node, and never make it show the key: waits the server asks for beyond the
// node's cap fail the item at once; the Timeout of a wait for completion bounds its status checks; a proxy
// that echoes the request (key and all) and a Base URL with a user and password are masked everywhere.
import { runNode } from '../../../scripts/engine/engine-runner';
import { AP_KEY, apCredentials, startActivatePro } from '../../helpers/activatepro-fixture';
import { sandboxPerFile } from '../../helpers/perFile';

const sandbox = sandboxPerFile(() => startActivatePro({ processingDelayMs: 10 }));

const NODE = 'n8n-nodes-rankr.activateProUser';
const upsert = { operation: 'upsert', userId: 'w-1', email: 'w1@example.com', attributesJson: '{}' };
const run = (parameters: Record<string, unknown>, items: Array<Record<string, unknown>> = [{}], credentials = apCredentials(sandbox)) =>
	runNode({ type: NODE, parameters, items, credentials, onError: 'continueRegularOutput' });

describe('every wait is bounded', () => {
	test('a Retry-After of 100,000 s fails the item at once, naming the header and the wait; the next item goes on', async () => {
		sandbox.users.set('w-2', { id: 'w-2', email: 'w2@example.com' });
		sandbox.faults.add({ route: 'GET /users/', kind: 'status', status: 429, headers: { 'Retry-After': '100000' } });
		const r = await run({ operation: 'get', userId: '={{ $json.id }}' }, [{ id: 'w-2' }, { id: 'w-2' }]);
		expect(r.success[0].json.error).toBe('ActivatePro asks to wait 27.8 h (Retry-After: 100000) before GET /users/w-2 (item 1) — longer than the 60 s the node waits for one request');
		expect(r.success[0].json.message).toMatch(/Not waited.*raise "Max Wait per Request \(Seconds\)"/);
		expect(r.success[1].json.id).toBe('w-2');
		expect(sandbox.requests('GET /users/')).toHaveLength(2); // one each: nothing waited, nothing repeated
	});

	test('Retry-After within the cap on every answer: the waits of one request stop at the cap, not after ten of them', async () => {
		sandbox.faults.add({ route: 'PUT /users', kind: 'status', status: 429, headers: { 'Retry-After': '1' }, times: 20 });
		const r = await run({ ...upsert, options: { maxWait: 2 } });
		expect(r.success[0].json.error).toBe('ActivatePro kept asking PUT /users (item 1) to wait: 2 waits (2 s) and now 1 s more (Retry-After: 1) — more than the 2 s the node waits for one request');
		expect(sandbox.requests('PUT /users')).toHaveLength(3);
		expect(sandbox.users.size).toBe(0);
	});

	test('"Max Wait per Request" raised: a Retry-After within it is waited out', async () => {
		sandbox.faults.add({ route: 'PUT /users', kind: 'status', status: 429, headers: { 'Retry-After': '1' } });
		const r = await run({ ...upsert, options: { maxWait: 1 } });
		expect(r.success[0].json).toMatchObject({ userId: 'w-1', status: 'accepted' });
		expect(sandbox.requests('PUT /users')).toHaveLength(2);
	});

	test('status checks answered 429 Retry-After 60 with a Timeout of 2 s end in the timeout error after few requests', async () => {
		sandbox.faults.add({ route: 'GET /users/track/', kind: 'status', status: 429, headers: { 'Retry-After': '60' }, times: 100 });
		const r = await run({ ...upsert, options: { waitForCompletion: true, timeout: 2 } });
		const trackingId = [...sandbox.tracking.keys()][0];
		expect(r.success[0].json.error).toBe(
			`ActivatePro had not finished within the 2 s Timeout (ActivatePro asks to wait 60 s (Retry-After: 60) before the next check, past the Timeout); still pending: tracking ID ${trackingId}`,
		);
		expect(r.success[0].json.message).toMatch(/accepted and may still complete/);
		expect(sandbox.requests('GET /users/track/').length).toBeLessThanOrEqual(2);
	});

	test('bulk: status checks that would wait past the Timeout leave the batch pending, said so per item', async () => {
		sandbox.faults.add({ route: 'GET /users/track/', kind: 'status', status: 429, headers: { 'Retry-After': '60' }, times: 100 });
		const items = [{ id: 'b-1', email: 'b1@example.com' }, { id: 'b-2', email: 'b2@example.com' }];
		const r = await run({ operation: 'batch', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributeSource: 'none', options: { waitForCompletion: true, timeout: 2 } }, items);
		for (const item of r.success) expect(String(item.json.error)).toMatch(/had not finished this batch within the 2 s Timeout \(ActivatePro asks to wait 60 s \(Retry-After: 60\)/);
		expect(sandbox.requests('GET /users/track/')).toHaveLength(1);
	});

	test('5xx on the status checks: their retries stop at the Timeout too', async () => {
		sandbox.faults.add({ route: 'GET /users/track/', kind: 'status', status: 503, times: 100 });
		const r = await run({ ...upsert, options: { waitForCompletion: true, timeout: 1 } });
		expect(String(r.success[0].json.error)).toMatch(/^ActivatePro had not finished within the 1 s Timeout \(retrying after it answered 503 would wait [\d.]+ m?s, past the Timeout\)/);
		expect(sandbox.requests('GET /users/track/').length).toBeLessThan(6);
	});
});

describe('the key never shows', () => {
	test('a proxy that answers 400 with the request echoed: the error quotes it with the key masked', async () => {
		sandbox.faults.add({ route: 'PUT /users', kind: 'echo', status: 400 });
		const r = await run(upsert);
		expect(r.success[0].json.error).toBe('ActivatePro answered HTTP 400 while trying to create or update user "w-1"');
		expect(r.success[0].json.message).toContain('"x-xng-authtoken":"***"');
		expect(r.serialized).not.toContain(AP_KEY);
	});

	test('an echo with 200 is output with the key masked', async () => {
		sandbox.faults.add({ route: 'GET /users/', kind: 'echo', status: 200 });
		const r = await run({ operation: 'get', userId: 'w-3' });
		expect(r.success[0].json).toMatchObject({ method: 'GET', url: '/users/w-3', headers: { 'x-xng-authtoken': '***' } });
		expect(r.serialized).not.toContain(AP_KEY);
	});

	test('a key in a header of any casing, or inside a longer text, is masked', async () => {
		sandbox.faults.add({ route: 'GET /users/', kind: 'status', status: 418, body: { 'X-XNG-AUTHTOKEN': AP_KEY, note: `token=${AP_KEY};` } });
		const r = await run({ operation: 'get', userId: 'w-4' });
		expect(r.success[0].json.message).toBe('Response: {"X-XNG-AUTHTOKEN":"***","note":"token=***;"}');
		expect(r.serialized).not.toContain(AP_KEY);
	});

	test('a Base URL with a user and password: shown as ***@host, never its password (nor the Basic header made of it)', async () => {
		const port = new URL(sandbox.url!).port;
		const password = 's3cret-pa55word';
		const basic = Buffer.from(`ada:${password}`).toString('base64');
		sandbox.faults.add({ route: 'GET /users/', kind: 'echo', status: 400 });
		const echoed = await run({ operation: 'get', userId: 'w-5' }, [{}], { activateProApi: { apiKey: AP_KEY, baseUrl: `http://ada:${password}@127.0.0.1:${port}` } });
		expect(String(echoed.success[0].json.message)).toMatch(/^Response: \{"method":"GET"/);
		for (const secret of [password, basic, AP_KEY]) expect(echoed.serialized).not.toContain(secret);

		const unreachable = await run({ operation: 'get', userId: 'w-5', options: { maxWait: 1 } }, [{}], { activateProApi: { apiKey: AP_KEY, baseUrl: `http://ada:${password}@127.0.0.1:9` } });
		expect(String(unreachable.success[0].json.error)).toMatch(/^Could not reach ActivatePro at http:\/\/\*\*\*@127\.0\.0\.1:9 \(ECONNREFUSED\) after \d attempts$/);
		expect(unreachable.serialized).not.toContain(password);
		expect(unreachable.logs.map((line) => line.message).join('\n')).not.toContain(password);
	});
});
