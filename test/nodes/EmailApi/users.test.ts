// Jest (Email API): users through n8n's engine against the sandbox; every body checked against HighLevel's OpenAPI.
import { runNode } from '../../../scripts/engine/engine-runner';
import { apiKeyCredentials, DOCUMENTED_VERSION, expectRequestsMeetDocuments, PIT, startEmailApi } from '../../helpers/emailapi-fixture';
import { sandboxPerFile } from '../../helpers/perFile';

const sandbox = sandboxPerFile(() => startEmailApi(), expectRequestsMeetDocuments);

const NODE = 'n8n-nodes-rankr.emailApi';
const run = (parameters: Record<string, unknown>, items: Array<Record<string, unknown>> = [{}], extra: Partial<Parameters<typeof runNode>[0]> = {}) =>
	runNode({ type: NODE, parameters: { resource: 'user', ...parameters }, items, credentials: apiKeyCredentials(sandbox), ...extra });
const create = { operation: 'create', email: '={{ $json.email }}', fullName: '={{ $json.name }}', role: 'user' };

/** `count` users of the sandbox's company and location, made inside the sandbox (no request). */
function addUsers(count: number) {
	for (let i = 0; i < count; i++) {
		const id = `seeded-user-${String(i).padStart(4, '0')}`;
		sandbox.users.set(id, {
			id,
			companyId: sandbox.companyId,
			firstName: 'Seeded',
			lastName: `User ${i}`,
			name: `Seeded User ${i}`,
			email: `seeded${i}@example.com`,
			phone: '',
			extension: '',
			permissions: {},
			roles: { type: 'account', role: 'user', locationIds: [sandbox.locationId], restrictSubAccount: false },
			lcPhone: {},
			deleted: false,
			dateAdded: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
		});
	}
}

describe('create', () => {
	test('sends POST /users/ with bearer token and Version, and returns the user without the password', async () => {
		const r = await run({ ...create, additionalFields: { phone: '+18832327657' } }, [{ email: 'ada@example.com', name: 'Ada Lovelace' }]);
		expect(r.error).toBeUndefined();
		const user = r.success[0].json;
		expect(user).toMatchObject({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', name: 'Ada Lovelace' });
		expect(JSON.stringify(user)).not.toMatch(/password/i);
		const [req] = sandbox.requests();
		expect(req.headers.authorization).toBe(`Bearer ${PIT}`);
		expect(req.headers.version).toBe(DOCUMENTED_VERSION);
		const body = JSON.parse(req.rawBody);
		expect(body).toMatchObject({ companyId: sandbox.companyId, locationIds: [sandbox.locationId], type: 'account', role: 'user', phone: '+18832327657' });
		expect(body.password.length).toBeGreaterThanOrEqual(16); // a random one when none is given
		expect(sandbox.users.size).toBe(1);
	});

	test.each([
		['Ada Lovelace', 'Ada', 'Lovelace'],
		['Jean-Luc de la Tour', 'Jean-Luc', 'de la Tour'],
		['  Mary   Ann Smith ', 'Mary Ann', 'Smith'],
		['Lovelace, Ada', 'Ada', 'Lovelace'],
		['Ludwig van Beethoven', 'Ludwig', 'van Beethoven'],
	])('full name %j is sent as %j + %j', async (name, firstName, lastName) => {
		const r = await run(create, [{ email: 'n@example.com', name }]);
		expect(r.error).toBeUndefined();
		expect(JSON.parse(sandbox.requests('POST /users')[0].rawBody)).toMatchObject({ firstName, lastName });
	});

	test('first and last name given directly take precedence over the full name', async () => {
		await run({ ...create, additionalFields: { firstName: 'Augusta', lastName: 'King' } }, [{ email: 'a@example.com', name: 'Ada Lovelace' }]);
		expect(JSON.parse(sandbox.requests('POST /users')[0].rawBody)).toMatchObject({ firstName: 'Augusta', lastName: 'King' });
	});

	test('fields are read per item: plain references straight from the item, other expressions (also inside Additional Fields) by n8n', async () => {
		const items = [
			{ email: 'ada@example.com', name: 'Ada Lovelace', nick: 'Augusta', team: 'sales' },
			{ email: 'grace@example.com', name: 'Grace Hopper', nick: 'Amazing', team: 'ops' },
		];
		const r = await run({ ...create, role: '={{ $json.team === "ops" ? "admin" : "user" }}', additionalFields: { firstName: '={{ $json.nick }}' } }, items);
		expect(r.error).toBeUndefined();
		const bodies = sandbox.requests('POST /users').map((q) => JSON.parse(q.rawBody));
		expect(bodies).toHaveLength(2);
		expect(bodies[0]).toMatchObject({ email: 'ada@example.com', firstName: 'Augusta', lastName: 'Lovelace', role: 'user' });
		expect(bodies[1]).toMatchObject({ email: 'grace@example.com', firstName: 'Amazing', lastName: 'Hopper', role: 'admin' });
	});

	test.each([
		[{ email: '' , name: 'Ada' }, /"Email" is empty \(item 1\)/],
		[{ email: 'ada(at)example.com', name: 'Ada' }, /"Email" is not a valid email address/],
		[{ email: 'ada@example.com', name: '' }, /The user has no name \(item 1\)/],
		[{ email: 'prince@example.com', name: 'Prince' }, /requires a last name, and "Prince" has none \(item 1\)/],
	])('%j is refused before sending', async (item, message) => {
		const r = await run(create, [item]);
		expect(r.error?.message).toMatch(message);
		expect(sandbox.requests()).toHaveLength(0);
	});

	test('an answer lost after the user was created is not followed by a second create', async () => {
		sandbox.faults.add({ route: 'POST /users', kind: 'dropAfterProcess' });
		const r = await run(create, [{ email: 'once@example.com', name: 'Only Once' }]);
		expect(r.error).toBeUndefined();
		expect(r.success[0].json).toMatchObject({ email: 'once@example.com', recoveredAfterLostAnswer: true });
		expect(sandbox.requests('POST /users/')).toHaveLength(1);
		expect(sandbox.requests('GET /users/search')).toHaveLength(1);
		expect([...sandbox.users.values()].filter((u: { email: string }) => u.email === 'once@example.com')).toHaveLength(1);
	});

	test('a request dropped before it was processed is checked, then sent again: one user', async () => {
		sandbox.faults.add({ route: 'POST /users', kind: 'drop' });
		sandbox.faults.add({ route: 'POST /users', kind: 'status', status: 502 });
		const r = await run(create, [{ email: 'twice@example.com', name: 'Tried Twice' }]);
		expect(r.error).toBeUndefined();
		expect(r.success[0].json.recoveredAfterLostAnswer).toBeUndefined();
		expect(sandbox.requests('POST /users/')).toHaveLength(3);
		expect(sandbox.requests('GET /users/search')).toHaveLength(2);
		expect(sandbox.users.size).toBe(1);
	});

	test('a token without users.write is told which scope it lacks', async () => {
		const readOnly = sandbox.issueToken(['users.readonly']);
		const r = await run(create, [{ email: 'x@example.com', name: 'X Y' }], { credentials: apiKeyCredentials(sandbox, readOnly) });
		expect(r.error?.message).toBe('The Email API token is missing the "users.write" scope needed to create the user x@example.com');
		expect(r.serialized).not.toContain(readOnly);
	});

	test('an invalid token says the credentials were rejected, without showing the token', async () => {
		const r = await run(create, [{ email: 'x@example.com', name: 'X Y' }], { credentials: apiKeyCredentials(sandbox, 'pit-not-a-real-token-123') });
		expect(r.error?.message).toMatch(/^The Email API rejected the credentials \(HTTP 401\)/);
		expect(r.serialized).not.toContain('pit-not-a-real-token-123');
	});

	test('a duplicate email is reported per item with the error output', async () => {
		const r = await run(create, [{ email: 'dup@example.com', name: 'A B' }, { email: 'dup@example.com', name: 'C D' }], { onError: 'continueErrorOutput' });
		expect(r.success).toHaveLength(1);
		expect(r.errors).toHaveLength(1);
		expect(r.errors[0].pairedItem).toEqual({ item: 1 });
		expect(r.errors[0].json.error).toMatch(/refused to create the user dup@example.com \(HTTP 400\): User with this email already exists/);
	});

	test('"Return the Existing User" turns a duplicate into the user that exists: one user, both items succeed', async () => {
		const items = [{ email: 'Dup@example.com', name: 'A B' }, { email: 'dup@example.com', name: 'A B' }];
		const r = await run({ ...create, ifExists: 'returnExisting' }, items);
		expect(r.error).toBeUndefined();
		expect(r.success).toHaveLength(2);
		expect(r.success[1].json).toMatchObject({ id: r.success[0].json.id, alreadyExisted: true });
		expect(r.success[0].json.alreadyExisted).toBeUndefined();
		expect(sandbox.users.size).toBe(1);
		expect(sandbox.requests('GET /users/search')).toHaveLength(1); // only after the refusal
	});

	test('"Return the Existing User" still fails a refusal that is not about an existing user', async () => {
		const r = await run({ ...create, ifExists: 'returnExisting' }, [{ email: 'new@example.com', name: 'A B' }], { onError: 'continueErrorOutput' });
		expect(r.errors).toHaveLength(0);
		sandbox.faults.add({ route: 'POST /users', kind: 'status', status: 422 });
		const refused = await run({ ...create, ifExists: 'returnExisting' }, [{ email: 'other@example.com', name: 'C D' }], { onError: 'continueErrorOutput' });
		expect(refused.errors).toHaveLength(1);
		expect(refused.errors[0].json.error).toMatch(/refused to create the user other@example.com \(HTTP 422\)/);
	});
});

describe('get, getMany, update, delete', () => {
	test('the whole life of a user', async () => {
		const created = await run(create, [{ email: 'life@example.com', name: 'Life Cycle' }]);
		const userId = created.success[0].json.id as string;

		const got = await run({ operation: 'get', userId });
		expect(got.success[0].json).toMatchObject({ id: userId, email: 'life@example.com' });

		const updated = await run({ operation: 'update', userId, updateFields: { fullName: 'Lifelong Cycle', role: 'admin' } });
		expect(updated.success[0].json).toMatchObject({ firstName: 'Lifelong', lastName: 'Cycle' });
		expect(JSON.parse(sandbox.requests('PUT /users')[0].rawBody)).toEqual({ firstName: 'Lifelong', lastName: 'Cycle', role: 'admin' });

		const many = await run({ operation: 'getMany', returnAll: true });
		expect(many.success.map((i) => i.json.id)).toContain(userId);

		const deleted = await run({ operation: 'delete', userId });
		expect(deleted.success[0].json).toMatchObject({ userId, deleted: true });
		const again = await run({ operation: 'delete', userId });
		expect(again.success[0].json).toMatchObject({ userId, deleted: true, alreadyDeleted: true });

		const gone = await run({ operation: 'get', userId });
		expect(gone.error?.message).toBe(`No Email API user has the ID "${userId}"`);
	});

	test('getMany honours Limit', async () => {
		for (const n of [1, 2, 3]) await run(create, [{ email: `m${n}@example.com`, name: `M ${n}` }]);
		const two = await run({ operation: 'getMany', returnAll: false, limit: 2 });
		expect(two.success).toHaveLength(2);
		expect(two.success.every((i) => i.pairedItem && (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	test('getMany searches with GET /users/search, never the deprecated GET /users/', async () => {
		await run(create, [{ email: 'searched@example.com', name: 'Searched One' }]);
		sandbox.clearLog();
		const r = await run({ operation: 'getMany', returnAll: true });
		expect(r.success.map((i) => i.json.email)).toEqual(['searched@example.com']);
		expect(sandbox.requests().map((q: { method: string; path: string }) => `${q.method} ${q.path}`)).toEqual(['GET /users/search']);
		expect(sandbox.requests()[0].query).toMatchObject({ companyId: sandbox.companyId, locationId: sandbox.locationId, skip: '0', limit: '100' });
	});

	test('Return All pages through every user: 250 users in 3 requests; Limit stops when it has enough', async () => {
		addUsers(250);
		const all = await run({ operation: 'getMany', returnAll: true });
		expect(all.error).toBeUndefined();
		expect(new Set(all.success.map((i) => i.json.id)).size).toBe(250);
		expect(sandbox.requests('GET /users/search').map((q: { query: Record<string, string> }) => q.query.skip)).toEqual(['0', '100', '200']);
		sandbox.clearLog();
		const some = await run({ operation: 'getMany', returnAll: false, limit: 120 });
		expect(some.success).toHaveLength(120);
		expect(sandbox.requests('GET /users/search').map((q: { query: Record<string, string> }) => q.query.limit)).toEqual(['100', '20']);
	});

	test('filters and sort reach the search; a search term too long is refused before sending', async () => {
		addUsers(3);
		await run(create, [{ email: 'grace@example.com', name: 'Grace Hopper' }]);
		sandbox.clearLog();
		const found = await run({ operation: 'getMany', returnAll: true, filters: { query: 'grace', role: 'user', type: 'account' }, sort: { field: 'dateAdded', direction: 'desc' } });
		expect(found.success.map((i) => i.json.email)).toEqual(['grace@example.com']);
		expect(sandbox.requests()[0].query).toMatchObject({ query: 'grace', role: 'user', type: 'account', sort: 'dateAdded', sortDirection: 'desc' });
		sandbox.clearLog();
		const long = await run({ operation: 'getMany', returnAll: true, filters: { query: 'x'.repeat(100_000) } });
		expect(long.error?.message).toBe('The search term is 100000 characters long (item 1)');
		expect(sandbox.requests()).toHaveLength(0);
	});

	test('without a company ID the search is refused before sending, naming the credential field', async () => {
		const r = await run({ operation: 'getMany', returnAll: true }, [{}], { credentials: { ...apiKeyCredentials(sandbox), emailApiKeyApi: { ...apiKeyCredentials(sandbox).emailApiKeyApi, companyId: '' } } });
		expect(r.error?.message).toBe('No company ID to search the users of (item 1)');
		expect(r.error?.description).toMatch(/"Company ID" in the Email API credential/);
		expect(sandbox.requests()).toHaveLength(0);
	});

	test('update with nothing to change is refused before sending', async () => {
		const r = await run({ operation: 'update', userId: 'abc', updateFields: {} });
		expect(r.error?.message).toBe('Nothing to update (item 1)');
		expect(sandbox.requests()).toHaveLength(0);
	});
});
