// Jest (ActivatePro User): each operation through n8n's engine against the sandbox over HTTP.
import { sleep } from 'n8n-workflow';

import { runNode, testCredential } from '../../../scripts/engine/engine-runner';
import { AP_KEY, apCredentials, startActivatePro } from '../../helpers/activatepro-fixture';
import { sandboxPerFile } from '../../helpers/perFile';

const sandbox = sandboxPerFile(() => startActivatePro());

const NODE = 'n8n-nodes-rankr.activateProUser';
const run = (parameters: Record<string, unknown>, items: Array<Record<string, unknown>> = [{}], extra: Partial<Parameters<typeof runNode>[0]> = {}) =>
	runNode({ type: NODE, parameters, items, credentials: apCredentials(sandbox), ...extra });

async function seedUser(user: Record<string, unknown>) {
	sandbox.users.set(String(user.id), { xngId: 'x-' + String(user.id), ...user });
}

describe('upsert', () => {
	test('sends PUT /users with the key, API version 2 and the attributes, and returns the tracking id', async () => {
		const r = await run(
			{ operation: 'upsert', userId: '={{ $json.id }}', email: '={{ $json.email }}', businessUnit: 'DE', attributesJson: '={{ JSON.stringify({ firstName: $json.first }) }}' },
			[{ id: 'u-1', email: 'ada@example.com', first: 'Ada' }],
		);
		expect(r.error).toBeUndefined();
		expect(r.success).toHaveLength(1);
		expect(r.success[0].json).toMatchObject({ userId: 'u-1', email: 'ada@example.com', status: 'accepted' });
		expect(r.success[0].json.trackingId).toMatch(/^[0-9a-f-]{36}$/);
		expect(r.success[0].pairedItem).toEqual({ item: 0 });
		const [req] = sandbox.requests();
		expect(req.method).toBe('PUT');
		expect(req.path).toBe('/users');
		expect(req.headers['x-xng-authtoken']).toBe(AP_KEY);
		expect(req.headers['x-xng-apiversion']).toBe('2');
		expect(JSON.parse(req.rawBody)).toEqual({ id: 'u-1', email: 'ada@example.com', businessUnit: 'DE', firstName: 'Ada' });
	});

	test('with wait for completion it polls tracking until PROCESSED and the user exists', async () => {
		const r = await run({ operation: 'upsert', userId: 'u-2', email: 'grace@example.com', attributesJson: '{"lastName":"Hopper"}', options: { waitForCompletion: true, timeout: 10 } });
		expect(r.error).toBeUndefined();
		expect(r.success[0].json).toMatchObject({ status: 'processed', stage: 'PROCESSED', total: 1, success: 1, error: 0 });
		expect(sandbox.users.get('u-2')).toMatchObject({ email: 'grace@example.com', lastName: 'Hopper' });
		expect(sandbox.requests().filter((q) => q.path.startsWith('/users/track/')).length).toBeGreaterThanOrEqual(1);
	});

	test('attributes one by one and from all input fields', async () => {
		await run(
			{ operation: 'upsert', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributeSource: 'keyValue', attributesUi: { attribute: [{ name: 'plan', value: '={{ $json.plan }}' }, { name: 'country', value: 'NL' }] } },
			[{ id: 'k1', email: 'k1@example.com', plan: 'pro' }],
		);
		await run(
			{ operation: 'upsert', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributeSource: 'inputFields', excludeFields: 'secretNote' },
			[{ id: 'k2', email: 'k2@example.com', firstName: 'Kim', score: 7, secretNote: 'x' }],
		);
		const bodies = sandbox.requests('PUT /users').map((q) => JSON.parse(q.rawBody));
		expect(bodies[0]).toEqual({ id: 'k1', email: 'k1@example.com', plan: 'pro', country: 'NL' });
		expect(bodies[1]).toEqual({ id: 'k2', email: 'k2@example.com', firstName: 'Kim', score: 7 });
	});

	test('a processing error (new id, email already taken) fails the item when waiting', async () => {
		await seedUser({ id: 'owner', email: 'taken@example.com' });
		const r = await run({ operation: 'upsert', userId: 'newcomer', email: 'taken@example.com', attributesJson: '{}', options: { waitForCompletion: true } });
		expect(r.error?.message).toMatch(/could not apply the update for user "newcomer"/);
		expect(r.error?.description).toMatch(/email already belongs to a user with another ID/);
		expect(sandbox.users.has('newcomer')).toBe(false);
	});
});

describe('get and getByEmail', () => {
	test('get returns the user; an unknown id says no user has it', async () => {
		await seedUser({ id: 'g1', email: 'g1@example.com', firstName: 'Gus' });
		const ok = await run({ operation: 'get', userId: 'g1' });
		expect(ok.success[0].json).toMatchObject({ id: 'g1', email: 'g1@example.com', firstName: 'Gus' });
		const missing = await run({ operation: 'get', userId: 'nobody' });
		expect(missing.error?.message).toBe('No user has the ID "nobody" in ActivatePro');
	});

	test('"If Not Found: Output an Empty Item" gives {} for an unknown id, and still fails on a wrong key', async () => {
		await seedUser({ id: 'g2', email: 'g2@example.com' });
		const r = await run({ operation: 'get', userId: '={{ $json.id }}', ifNotFound: 'empty' }, [{ id: 'g2' }, { id: 'nobody' }]);
		expect(r.error).toBeUndefined();
		expect(r.success.map((item) => item.json)).toEqual([expect.objectContaining({ id: 'g2' }), {}]);
		expect(r.success.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const wrongKey = await run({ operation: 'get', userId: 'nobody', ifNotFound: 'empty' }, [{}], { credentials: apCredentials(sandbox, 'wrong-key-123456') });
		expect(wrongKey.error?.message).toMatch(/rejected the API key/);
	});

	test('getByEmail with and without business unit, case-insensitive', async () => {
		await seedUser({ id: 'e1', email: 'Eve@Example.com', businessUnit: 'DE' });
		const withBu = await run({ operation: 'getByEmail', email: 'eve@example.com', businessUnit: 'de' });
		expect(withBu.success[0].json.id).toBe('e1');
		const withoutBu = await run({ operation: 'getByEmail', email: 'EVE@example.com' });
		expect(withoutBu.success[0].json.id).toBe('e1');
		const wrongBu = await run({ operation: 'getByEmail', email: 'eve@example.com', businessUnit: 'FR' });
		expect(wrongBu.error?.message).toBe('No user has the email "eve@example.com" in business unit "FR" in ActivatePro');
		expect(sandbox.requests().map((q) => q.rawPath)).toEqual([
			'/users/email/eve%40example.com/bu/de',
			'/users/email/EVE%40example.com',
			'/users/email/eve%40example.com/bu/FR',
		]);
	});
});

describe('delete and getStatus', () => {
	test('delete with wait removes the user; deleting an unknown user succeeds', async () => {
		await seedUser({ id: 'd1', email: 'd1@example.com' });
		const r = await run({ operation: 'delete', userId: '={{ $json.id }}', options: { waitForCompletion: true } }, [{ id: 'd1' }, { id: 'never-existed' }]);
		expect(r.error).toBeUndefined();
		expect(r.success.map((i) => i.json.status)).toEqual(['processed', 'processed']);
		expect(sandbox.users.has('d1')).toBe(false);
	});

	test('getStatus reads tracking; unknown and expired ids say so', async () => {
		const accepted = await run({ operation: 'delete', userId: 'whoever' });
		const trackingId = accepted.success[0].json.trackingId as string;
		await sleep(100);
		const status = await run({ operation: 'getStatus', trackingId });
		expect(status.success[0].json).toEqual({ trackingId, stage: 'PROCESSED', total: 1, success: 1, error: 0 });

		sandbox.clock.advance(25 * 60 * 60 * 1000);
		const expired = await run({ operation: 'getStatus', trackingId });
		expect(expired.error?.message).toBe(`Tracking ID ${trackingId} is unknown or expired (tracking ids live 24 hours)`);
	});
});

describe('validation before sending', () => {
	test.each([
		[{ userId: '={{ $json.missing }}', email: 'a@example.com' }, /"User ID" is empty \(item 1\)/],
		[{ userId: 'v1', email: '={{ $json.missing }}' }, /"Email" is empty \(item 1\)/],
		[{ userId: 'v1', email: 'not-an-email' }, /"Email" is not a valid email address: "not-an-email" \(item 1\)/],
		[{ userId: 'v1', email: 'a@example.com', attributesJson: '[1,2]' }, /"Attributes \(JSON\)" must be a JSON object, not an array \(item 1\)/],
		[{ userId: 'v1', email: 'a@example.com', attributesJson: '{"firstName": ' }, /"Attributes \(JSON\)" is not valid JSON \(item 1\)/],
		[{ userId: 'v1', email: 'a@example.com', attributesJson: '{"email": "b@example.com"}' }, /custom attributes contain "email"/],
	])('%j is refused with a message naming the field, and nothing is sent', async (params, message) => {
		const r = await run({ operation: 'upsert', attributesJson: '{}', ...params });
		expect(r.error?.message).toMatch(message);
		expect(sandbox.requests()).toHaveLength(0);
	});

	test('with the error output, a bad item goes there and the others go through', async () => {
		const r = await run(
			{ operation: 'upsert', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributesJson: '{}' },
			[{ id: 'ok1', email: 'ok1@example.com' }, { id: 'bad', email: 'nope' }, { id: 'ok2', email: 'ok2@example.com' }],
			{ onError: 'continueErrorOutput' },
		);
		expect(r.success.map((i) => i.json.userId)).toEqual(['ok1', 'ok2']);
		expect(r.success.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(r.errors).toHaveLength(1);
		expect(r.errors[0].json.error).toMatch(/"Email" is not a valid email address: "nope" \(item 2\)/);
		expect(r.errors[0].pairedItem).toEqual({ item: 1 });
		expect(sandbox.requests('PUT /users')).toHaveLength(2);
	});
});

describe('URL encoding', () => {
	test('ids and emails cannot change which endpoint is called', async () => {
		await run({ operation: 'get', userId: '../track/x' });
		const dots = await run({ operation: 'get', userId: '..' });
		expect(dots.error?.message).toMatch(/".." cannot be used as an ID in a URL/);
		await run({ operation: 'delete', userId: 'a/b?c#d' });
		await run({ operation: 'getByEmail', email: 'ann+news@example.com', businessUnit: '../x' });
		expect(sandbox.requests().map((q) => `${q.method} ${q.rawPath}`)).toEqual([
			'GET /users/..%2Ftrack%2Fx',
			'DELETE /users/a%2Fb%3Fc%23d',
			'GET /users/email/ann%2Bnews%40example.com/bu/..%2Fx',
		]);
		expect(sandbox.tracking.size).toBe(1);
	});
});

describe('API errors in words', () => {
	test('a wrong key says the API key was rejected, and the key appears nowhere', async () => {
		const r = await run({ operation: 'get', userId: 'x' }, [{}], { credentials: apCredentials(sandbox, 'wrong-key-123456') });
		expect(r.error?.message).toBe('ActivatePro rejected the API key (HTTP 401)');
		expect(r.error?.description).toMatch(/API key in the ActivatePro API credential/);
		expect(r.serialized).not.toContain('wrong-key-123456');
	});

	test('a validation error states code, title, details, pointer and what it means', async () => {
		const r = await run({ operation: 'upsert', userId: 'c6', email: 'c6@example.com', attributesJson: '{"favouriteColour": "teal"}' });
		expect(r.error?.message).toBe(
			'ActivatePro refused to create or update user "c6": [6 Unknown Attribute] Attribute "favouriteColour" does not exist (field /favouriteColour) — the attribute is not defined for your company in ActivatePro: define it there first, or leave it out',
		);
		expect(sandbox.requests()).toHaveLength(1); // a 400 is never retried
	});
});

describe('credential test', () => {
	test('a valid key passes, a wrong key is reported as rejected', async () => {
		await expect(testCredential('activateProApi', { apiKey: AP_KEY, baseUrl: sandbox.url! })).resolves.toEqual({ status: 'OK', message: 'Connection successful!' });
		const wrong = await testCredential('activateProApi', { apiKey: 'nope-nope', baseUrl: sandbox.url! });
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toMatch(/^ActivatePro rejected the API key/);
		expect(sandbox.requests().every((q) => q.method === 'GET')).toBe(true);
	});
});
