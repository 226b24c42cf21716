// Jest (ActivatePro User): Batch: exact request counts, JSON-pointer errors mapped back to input items, error output.
import { runNode } from '../../../scripts/engine/engine-runner';
import { apCredentials, startActivatePro } from '../../helpers/activatepro-fixture';
import { sandboxPerFile } from '../../helpers/perFile';

const sandbox = sandboxPerFile(() => startActivatePro({ processingDelayMs: 10 }));

const NODE = 'n8n-nodes-rankr.activateProUser';
const mapped = { operation: 'batch', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributeSource: 'inputFields' };
const users = (n: number, from = 0) =>
	Array.from({ length: n }, (_, i) => ({ id: `b-${from + i}`, email: `user${from + i}@example.com`, firstName: `User ${from + i}`, score: i % 100 }));
const run = (parameters: Record<string, unknown>, items: Array<Record<string, unknown>>, onError?: 'continueErrorOutput' | 'continueRegularOutput') =>
	runNode({ type: NODE, parameters, items, credentials: apCredentials(sandbox), onError });

test('2,500 items go out in exactly 3 batch requests (1000, 1000, 500) and all arrive', async () => {
	const r = await run({ ...mapped, options: { waitForCompletion: true, timeout: 30 } }, users(2500));
	expect(r.error).toBeUndefined();
	const batches = sandbox.requests('POST /users/batch');
	expect(batches).toHaveLength(3);
	expect(batches.map((q) => JSON.parse(q.rawBody).updated.length)).toEqual([1000, 1000, 500]);
	expect(sandbox.requests().filter((q) => q.method !== 'GET' && q.path !== '/users/batch')).toHaveLength(0);
	expect(r.success).toHaveLength(2500);
	r.success.forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		expect(item.json).toMatchObject({ userId: `b-${i}`, status: 'processed', stage: 'PROCESSED' });
	});
	expect(sandbox.users.size).toBe(2500);
	expect(sandbox.users.get('b-1234')).toMatchObject({ email: 'user1234@example.com', firstName: 'User 1234', score: 34 });
	// n8n loads the credential (a database read and a decrypt in n8n) for each request it authenticates; the
	// node itself reads it once per run, not once per request
	expect(r.credentialReads).toBe(sandbox.requests().length + 1);
});

test('validation errors come back by JSON pointer and land on the exact input item', async () => {
	const items = users(1500);
	items[17] = { ...items[17], phone: 'call me' } as never; // code 5 at /updated/17/phone
	items[1203] = { ...items[1203], favouriteColour: 'teal' } as never; // code 6 at /updated/203/favouriteColour in batch 2
	const r = await run(mapped, items, 'continueErrorOutput');
	expect(r.error).toBeUndefined();
	expect(sandbox.requests('POST /users/batch')).toHaveLength(2);
	expect(r.success).toHaveLength(1498);
	expect(r.errors).toHaveLength(2);
	const [first, second] = r.errors;
	expect(first.pairedItem).toEqual({ item: 17 });
	// { error, message } and the input item merged in: the one error-item shape n8n 1.x and 2.x both route
	expect(Object.keys(first.json).sort()).toEqual(['email', 'error', 'firstName', 'id', 'message', 'phone', 'score']);
	expect(first.json.error).toContain('[5 Invalid Phone Format]');
	expect(first.json.error).toContain('/updated/17/phone');
	expect(first.json.id).toBe('b-17'); // n8n merges the input item into the error output
	expect(first.json.error).toMatch(/item 18/);
	expect(second.pairedItem).toEqual({ item: 1203 });
	expect(second.json.error).toMatch(/user "b-1203" \(item 1204\): \[6 Unknown Attribute\].*\/updated\/203\/favouriteColour/);
	// the rest of each partial batch was accepted with its tracking id
	expect(new Set(r.success.map((i) => i.json.trackingId)).size).toBe(2);
});

test('without the error output a rejection fails the node with a message naming the item', async () => {
	const items = users(30);
	items[4] = { ...items[4], phone: 'x' } as never;
	const r = await run(mapped, items);
	expect(r.error?.message).toMatch(/^1 of 30 items failed; first: item 5: ActivatePro rejected user "b-4" \(item 5\): \[5 Invalid Phone Format\]/);
	expect(r.error?.description).toMatch(/29 other items were accepted/);
});

test('items that fail our own checks are not sent; the rest go in one request', async () => {
	const items = [...users(3), { id: 'no-mail', firstName: 'N' }, { email: 'no-id@example.com' }, { id: 'bad', email: 'bad@@' }];
	const r = await run(mapped, items, 'continueRegularOutput');
	const body = JSON.parse(sandbox.requests('POST /users/batch')[0].rawBody);
	expect(body.updated.map((u: { id: string }) => u.id)).toEqual(['b-0', 'b-1', 'b-2']);
	expect(r.success).toHaveLength(6);
	expect(r.success.slice(3).map((i) => i.json.error)).toEqual([
		expect.stringMatching(/"Email" is empty \(item 4\)/),
		expect.stringMatching(/"User ID" is empty \(item 5\)/),
		expect.stringMatching(/"Email" is not a valid email address: "bad@@" \(item 6\)/),
	]);
	expect(r.success.map((i) => i.json.kind)).toEqual([undefined, undefined, undefined, 'rejected', 'rejected', 'rejected']);
	// without the error output n8n adds nothing of the input to an error item: the node says whose it is
	expect(r.success.slice(3).map((i) => [i.json.userId, i.json.email])).toEqual([
		['no-mail', undefined],
		[undefined, 'no-id@example.com'],
		['bad', 'bad@@'],
	]);
});

test('upserts and deletes mix in one request; a user touched twice keeps input order', async () => {
	sandbox.users.set('old-1', { id: 'old-1', email: 'old1@example.com' });
	const items = [
		{ id: 'n-1', email: 'n1@example.com', action: 'upsert' },
		{ id: 'old-1', action: 'delete' },
		{ id: 'n-2', email: 'n2@example.com', action: 'upsert' },
	];
	const r = await run({ ...mapped, attributeSource: 'none', batchAction: '={{ $json.action }}', options: { waitForCompletion: true } }, items);
	expect(r.error).toBeUndefined();
	const calls = sandbox.requests('POST /users/batch').map((q) => JSON.parse(q.rawBody));
	expect(calls).toEqual([{ updated: [{ id: 'n-1', email: 'n1@example.com' }, { id: 'n-2', email: 'n2@example.com' }], deleted: [{ id: 'old-1' }] }]);
	expect([...sandbox.users.keys()].sort()).toEqual(['n-1', 'n-2']);

	sandbox.reset();
	const twice = [
		{ id: 't-1', email: 't1@example.com', action: 'upsert' },
		{ id: 't-1', action: 'delete' },
	];
	await run({ ...mapped, attributeSource: 'none', batchAction: '={{ $json.action }}', options: { waitForCompletion: true } }, twice);
	expect(sandbox.requests('POST /users/batch')).toHaveLength(2);
	expect(sandbox.users.has('t-1')).toBe(false);
});

test('requests go out while the rest is read; only a request with an earlier request\'s user waits for its answer', async () => {
	// 3,000 users; item 2,500 deletes user b-5 again, who is in the first request. The first answer is held 300 ms.
	const items: Array<Record<string, unknown>> = users(3000).map((u) => ({ ...u, action: 'upsert' }));
	items[2500] = { id: 'b-5', action: 'delete' };
	sandbox.faults.add({ route: 'POST /users/batch', kind: 'delay', ms: 300 });
	const answeredAt = new Map<unknown, number>();
	const onRequest = (entry: unknown) => answeredAt.set(entry, Date.now());
	sandbox.on('request', onRequest);
	try {
		const r = await run({ ...mapped, batchAction: '={{ $json.action }}', excludeFields: 'action', options: { waitForCompletion: true, timeout: 30 } }, items);
		expect(r.error).toBeUndefined();
		expect(r.success).toHaveLength(3000);
		expect(r.success[2500].json).toMatchObject({ action: 'delete', userId: 'b-5', status: 'processed' });
	} finally {
		sandbox.off('request', onRequest);
	}
	const [first, second, third] = sandbox.requests('POST /users/batch');
	expect(sandbox.requests('POST /users/batch')).toHaveLength(3);
	expect(JSON.parse(third.rawBody).deleted).toEqual([{ id: 'b-5' }]);
	// the second request shares no user with the first: it did not wait for the held answer
	expect(second.at).toBeLessThan(answeredAt.get(first)!);
	// the third deletes a user of the first: it left only after the first was answered, so the delete comes last
	expect(third.at).toBeGreaterThanOrEqual(answeredAt.get(first)!);
	expect(sandbox.users.has('b-5')).toBe(false);
	expect(sandbox.users.size).toBe(2998); // 3,000 less b-5 (deleted) and b-2500 (its item is the delete)
});

test('a processing error reported by tracking is pinned to the item it belongs to', async () => {
	sandbox.users.set('owner', { id: 'owner', email: 'taken@example.com' });
	const items = [...users(4), { id: 'intruder', email: 'taken@example.com' }];
	const r = await run({ ...mapped, options: { waitForCompletion: true } }, items, 'continueErrorOutput');
	expect(r.success.map((i) => i.json.userId)).toEqual(['b-0', 'b-1', 'b-2', 'b-3']);
	expect(r.errors).toHaveLength(1);
	expect(r.errors[0].pairedItem).toEqual({ item: 4 });
	expect(r.errors[0].json.error).toMatch(/accepted but did not apply the upsert of user "intruder"/);
});

test('in the regular output each error item says whose it is and its kind; what is not a refusal of the data is "failed": a 5xx after the retries, no answer, not finished within the Timeout', async () => {
	// The first request fails on every attempt; the second is accepted but never processed within the Timeout.
	sandbox.faults.add({ route: 'POST /users/batch', kind: 'status', status: 503, times: 6 });
	const down = await run({ ...mapped, options: { waitForCompletion: true, timeout: 30 } }, users(3), 'continueRegularOutput');
	expect(down.success.map((e) => [e.json.kind, e.json.userId, e.pairedItem])).toEqual([0, 1, 2].map((i) => ['failed', `b-${i}`, { item: i }]));
	expect(String(down.success[0].json.error)).toMatch(/503/);
	sandbox.faults.add({ route: 'GET /users/track/', kind: 'status', status: 503, times: 100 });
	const slow = await run({ ...mapped, options: { waitForCompletion: true, timeout: 1 } }, [...users(2), { id: 'x', email: 'bad@@' }], 'continueRegularOutput');
	expect(slow.success.map((e) => e.json.kind)).toEqual(['failed', 'failed', 'rejected']);
	// a processing error that tracking reports is a refusal too
	sandbox.faults.clear();
	sandbox.users.set('owner', { id: 'owner', email: 'taken@example.com' });
	const taken = await run({ ...mapped, options: { waitForCompletion: true } }, [{ id: 'intruder', email: 'taken@example.com' }], 'continueRegularOutput');
	expect(taken.success.map((e) => [e.json.kind, e.json.userId, e.json.email])).toEqual([['rejected', 'intruder', 'taken@example.com']]);
});

test('per-item expressions still work when they are more than a field reference', async () => {
	const r = await run(
		{ operation: 'batch', userId: '={{ "ext-" + $json.n }}', email: '={{ $json.name.toLowerCase() }}@example.com', attributeSource: 'json', attributesJson: '={{ { firstName: $json.name } }}' },
		[{ n: 1, name: 'Ada' }, { n: 2, name: 'Alan' }],
	);
	expect(r.error).toBeUndefined();
	expect(JSON.parse(sandbox.requests('POST /users/batch')[0].rawBody).updated).toEqual([
		{ id: 'ext-1', email: 'ada@example.com', firstName: 'Ada' },
		{ id: 'ext-2', email: 'alan@example.com', firstName: 'Alan' },
	]);
});

describe('errors that name no entry of the request are never dropped', () => {
	// An answer that accepts the batch (tracking id) but reports errors whose pointer names no entry: one past
	// the end of the request, a list the request does not have, and none at all.
	const unplaced = [
		{ code: '2', title: 'Invalid field value', details: 'entry out of range', source: { pointer: '/updated/3/email' } },
		{ code: '6', title: 'Unknown attribute', details: 'no such list', source: { pointer: '/users/0/plan' } },
		{ code: '10', title: 'Processing failed', details: 'something went wrong' },
	];
	const answer = { kind: 'raw', status: 202, contentType: 'application/json', body: JSON.stringify({ trackingId: 'trk-unplaced', errors: unplaced }) };

	test('every item of that request carries them, and one warn line says so', async () => {
		sandbox.faults.add({ route: 'POST /users/batch', ...answer });
		const r = await run(mapped, users(3), 'continueErrorOutput');
		expect(r.error).toBeUndefined();
		expect(r.errors).toHaveLength(0);
		expect(r.success).toHaveLength(3);
		for (const item of r.success) {
			expect(item.json).toMatchObject({ status: 'accepted', trackingId: 'trk-unplaced' });
			expect(String(item.json.warning)).toMatch(/reported 3 errors that name no entry of it: \[2 Invalid field value\] entry out of range \(field \/updated\/3\/email\).*\[10 Processing failed\] something went wrong/);
			expect(String(item.json.warning)).toMatch(/item 1 to item 3/);
		}
		const warnings = r.logs.filter((line) => line.level === 'warn' && /name no entry/.test(line.message));
		expect(warnings).toHaveLength(1);
	});

	test('an error that does name an entry still lands on that item alone, beside the unplaced one', async () => {
		const body = { trackingId: 'trk-mixed', errors: [{ code: '4', title: 'Invalid Email Format', details: 'bad', source: { pointer: '/updated/1/email' } }, unplaced[0]] };
		sandbox.faults.add({ route: 'POST /users/batch', kind: 'raw', status: 202, contentType: 'application/json', body: JSON.stringify(body) });
		const r = await run(mapped, users(3), 'continueErrorOutput');
		expect(r.errors.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
		expect(r.success.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		for (const item of r.success) expect(String(item.json.warning)).toMatch(/reported an error that names no entry/);
	});
});
