// Jest (conformance): the Email API sandbox against HighLevel's OpenAPI documents, Authorization.md and Scopes.md.
// The Email API sandbox itself, over real HTTP: the node's tests trust it, so it is checked against the contract
// (HighLevel's OpenAPI documents, Authorization.md, Scopes.md) here, without any package code.
import { API_SCOPES, DOCUMENTED_VERSION, EmailApiSandbox } from '../../scripts/sandbox/emailapi-sandbox';
import { answerErrors, schemaErrors, searchBodyErrors } from '../helpers/emailapi-fixture';
import { requestBodyErrors } from '../helpers/openapi';

const LOCATION = 've9EPM428h8vShlRW1KT';
const COMPANY = 'UAXssdawIWAWD';
const FULL = 'full-access-token';
const CLIENT_ID = 'rankr-client-id';
const CLIENT_SECRET = 'rankr-client-secret';
const REDIRECT = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';

/** Whatever JSON.parse makes of an answer: the assertions below read it as the API documents it. */
type Parsed = ReturnType<typeof JSON.parse>;

interface Answer {
	status: number;
	body: Parsed;
	headers: Headers;
}

let sandbox: EmailApiSandbox;

async function call(
	method: string,
	path: string,
	{ token = FULL, version = DOCUMENTED_VERSION, body, raw, headers = {} }: { token?: string | null; version?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
	const h: Record<string, string> = { accept: 'application/json', ...headers };
	if (token) h.authorization = `Bearer ${token}`;
	if (version) h.version = version;
	let payload: string | undefined;
	if (raw !== undefined) {
		payload = raw;
		h['content-type'] ??= 'application/json';
	} else if (body !== undefined) {
		payload = JSON.stringify(body);
		h['content-type'] = 'application/json';
	}
	const res = await fetch(`${sandbox.url}${path}`, { method, headers: h, body: payload, redirect: 'manual' });
	const text = await res.text();
	let parsed: Parsed = text;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		// not JSON
	}
	return { status: res.status, body: parsed, headers: res.headers };
}

function newUser(overrides: Record<string, unknown> = {}) {
	return {
		companyId: COMPANY,
		firstName: 'Ada',
		lastName: 'Lovelace',
		email: 'ada@example.com',
		password: 'S3cret!pass',
		type: 'account',
		role: 'user',
		locationIds: [LOCATION],
		...overrides,
	};
}

function form(values: Record<string, string>) {
	return new URLSearchParams(values).toString();
}

beforeAll(async () => {
	sandbox = new EmailApiSandbox({
		tokens: { [FULL]: { scopes: API_SCOPES } },
		oauthClients: { [CLIENT_ID]: { clientSecret: CLIENT_SECRET, scopes: ['users.write', 'users.readonly', 'workflows.readonly'] } },
	});
	await sandbox.listen();
});

afterAll(async () => {
	await sandbox.close();
});

beforeEach(() => {
	sandbox.reset();
	sandbox.setRateLimit({ max: 100, intervalMs: 10000, daily: 200000 });
});

describe('authentication, version, scopes', () => {
	it('answers unknown routes like NestJS, before any check', async () => {
		const r = await call('GET', '/nope?x=1', { token: null });
		expect(r.status).toBe(404);
		expect(r.body).toEqual({ statusCode: 404, message: 'Cannot GET /nope?x=1', error: 'Not Found' });
	});

	it('refuses a missing, unknown or expired bearer token with 401', async () => {
		const missing = await call('GET', `/workflows/?locationId=${LOCATION}`, { token: null });
		expect(missing.status).toBe(401);
		expect(missing.body).toEqual({ statusCode: 401, message: 'Invalid token: access token is invalid', error: 'Unauthorized' });
		expect((await call('GET', `/workflows/?locationId=${LOCATION}`, { token: 'nope' })).status).toBe(401);

		const token = sandbox.issueToken(['workflows.readonly']);
		expect((await call('GET', `/workflows/?locationId=${LOCATION}`, { token })).status).toBe(200);
		sandbox.expireToken(token);
		const expired = await call('GET', `/workflows/?locationId=${LOCATION}`, { token });
		expect(expired.status).toBe(401);
		expect(expired.body.message).toMatch(/expired/);

		const short = sandbox.issueToken(['workflows.readonly'], { ttlMs: 1000 });
		sandbox.clock.advance(1001);
		expect((await call('GET', `/workflows/?locationId=${LOCATION}`, { token: short })).body.message).toMatch(/expired/);
		expect(sandbox.stats.unauthorized).toBe(4);
	});

	it("requires a Version HighLevel accepts (the documented version, or its SDK's 2023-02-21; else 400) and still sends the rate-limit headers", async () => {
		const missing = await call('GET', `/workflows/?locationId=${LOCATION}`, { version: null });
		expect(missing.status).toBe(400);
		expect(missing.body).toEqual({ statusCode: 400, message: 'Version header was not found' });
		expect(missing.headers.get('x-ratelimit-remaining')).toBe('99');
		const other = await call('GET', `/workflows/?locationId=${LOCATION}`, { version: '2021-04-15' });
		expect(other.status).toBe(400);
		expect(other.body.message).toBe(`Version header is invalid: this API accepts Version: ${DOCUMENTED_VERSION} or 2023-02-21`);
		expect(other.headers.get('x-sandbox-stricter')).toMatch(/^Version: .* the sandbox refuses every other value/);
		expect(missing.headers.get('x-sandbox-stricter')).toBeNull(); // the documents require the header
		expect((await call('GET', `/workflows/?locationId=${LOCATION}`, { version: '2023-02-21' })).status).toBe(200);
	});

	it('answers 401 when the token lacks the route scope, or is of the wrong class', async () => {
		const readOnly = sandbox.issueToken(['users.readonly']);
		const r = await call('POST', '/users/', { token: readOnly, body: newUser() });
		expect(r.status).toBe(401);
		expect(r.body).toEqual({ statusCode: 401, message: 'The token is not authorized for this scope.' });
		expect(r.headers.get('x-ratelimit-max')).toBe('100');
		expect(sandbox.users.size).toBe(0);

		const agency = sandbox.issueToken(API_SCOPES, { userType: 'Company' });
		const w = await call('GET', `/workflows/?locationId=${LOCATION}`, { token: agency });
		expect(w.status).toBe(401);
		expect(w.body.message).toMatch(/authClass/);
	});

	it('refuses another location with 403', async () => {
		const r = await call('GET', '/workflows/?locationId=otherLocation00000000');
		expect(r.status).toBe(403);
		expect(r.body).toEqual({ statusCode: 403, message: 'The token does not have access to this location.' });
	});
});

describe('rate limits', () => {
	it('sends the documented headers on every answer and 429 + Retry-After over the burst limit', async () => {
		sandbox.setRateLimit({ max: 3, intervalMs: 1000, daily: 5 });
		const remaining: (string | null)[] = [];
		for (let i = 0; i < 3; i++) {
			const r = await call('GET', `/workflows/?locationId=${LOCATION}`);
			expect(r.status).toBe(200);
			expect(r.headers.get('x-ratelimit-limit-daily')).toBe('5');
			expect(r.headers.get('x-ratelimit-interval-milliseconds')).toBe('1000');
			expect(r.headers.get('x-ratelimit-max')).toBe('3');
			remaining.push(r.headers.get('x-ratelimit-remaining'));
		}
		expect(remaining).toEqual(['2', '1', '0']);
		const limited = await call('GET', `/workflows/?locationId=${LOCATION}`);
		expect(limited.status).toBe(429);
		expect(limited.body).toEqual({ statusCode: 429, message: 'Too many requests' });
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
		expect(limited.headers.get('x-ratelimit-daily-remaining')).toBe('2');
		expect(sandbox.stats.rateLimited).toBe(1);

		sandbox.clock.advance(1000);
		const again = await call('GET', `/workflows/?locationId=${LOCATION}`);
		expect(again.status).toBe(200);
		expect(again.headers.get('x-ratelimit-daily-remaining')).toBe('1');
		await call('GET', `/workflows/?locationId=${LOCATION}`);
		const daily = await call('GET', `/workflows/?locationId=${LOCATION}`);
		expect(daily.status).toBe(429);
		expect(daily.headers.get('x-ratelimit-daily-remaining')).toBe('0');
		expect(sandbox.stats.rateLimited).toBe(2);
	});

	it('counts per location: another location has its own budget', async () => {
		sandbox.setRateLimit({ max: 1, intervalMs: 60000 });
		const other = sandbox.issueToken(['workflows.readonly'], { locationId: 'secondLocation000000' });
		expect((await call('GET', `/workflows/?locationId=${LOCATION}`)).status).toBe(200);
		expect((await call('GET', `/workflows/?locationId=${LOCATION}`)).status).toBe(429);
		expect((await call('GET', '/workflows/?locationId=secondLocation000000', { token: other })).status).toBe(200);
	});
});

describe('users', () => {
	it('creates (201), reads, updates, lists, searches and deletes a user', async () => {
		const created = await call('POST', '/users/', { body: newUser({ permissions: { workflowsEnabled: false } }) });
		expect(created.status).toBe(201);
		const user = created.body;
		expect(user.id).toMatch(/^[A-Za-z0-9]{20}$/);
		expect(user).toMatchObject({
			name: 'Ada Lovelace', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com',
			roles: { type: 'account', role: 'user', locationIds: [LOCATION] },
		});
		expect(user.permissions.workflowsEnabled).toBe(false);
		expect(user.permissions.contactsEnabled).toBe(true);
		expect(JSON.stringify(user)).not.toContain('S3cret');
		expect(sandbox.users.get(user.id)).toMatchObject({ companyId: COMPANY, email: 'ada@example.com' });

		const got = await call('GET', `/users/${user.id}`);
		expect(got.status).toBe(200);
		expect(got.body).toEqual(user);

		const updated = await call('PUT', `/users/${user.id}`, { body: { firstName: 'Augusta', role: 'admin' } });
		expect(updated.status).toBe(200);
		expect(updated.body).toMatchObject({ name: 'Augusta Lovelace', roles: { role: 'admin' } });

		const byLocation = await call('GET', `/users/?locationId=${LOCATION}`);
		expect(byLocation.body.users.map((u: { id: string }) => u.id)).toEqual([user.id]);

		const search = await call('GET', `/users/search?companyId=${COMPANY}&query=ADA@example`);
		expect(search.status).toBe(200);
		expect(search.body.count).toBe(1);
		expect(search.body.users[0]).toMatchObject({ id: user.id, deleted: false });
		expect((await call('GET', `/users/search?companyId=${COMPANY}&query=nobody`)).body).toEqual({ users: [], count: 0 });

		const deleted = await call('DELETE', `/users/${user.id}`);
		expect(deleted.status).toBe(200);
		expect(deleted.body).toEqual({
			succeded: true,
			message: 'Queued deleting user with e-mail ada@example.com and name Augusta Lovelace. Will take effect in a few minutes.',
		});
		const gone = await call('GET', `/users/${user.id}`);
		expect(gone.status).toBe(400);
		expect(gone.body).toEqual({ statusCode: 400, message: 'User not found' });
		expect((await call('DELETE', `/users/${user.id}`)).status).toBe(400);
		expect((await call('GET', `/users/search?companyId=${COMPANY}&query=ada`)).body.count).toBe(0);
	});

	it('refuses a duplicate email in the company (400), case-insensitively', async () => {
		expect((await call('POST', '/users/', { body: newUser() })).status).toBe(201);
		const dup = await call('POST', '/users/', { body: newUser({ email: 'ADA@Example.com' }) });
		expect(dup.status).toBe(400);
		expect(dup.body).toEqual({ statusCode: 400, message: 'User with this email already exists' });
		expect(sandbox.users.size).toBe(1);
	});

	it('validates CreateUserDto like NestJS (422)', async () => {
		const r = await call('POST', '/users/', {
			body: { ...newUser({ email: 'not-an-email', role: 'owner', locationIds: [LOCATION, 7], permissions: { campaignsEnabled: 'yes', nope: true } }), foo: 1, lastName: undefined },
		});
		expect(r.status).toBe(422);
		expect(r.body.statusCode).toBe(422);
		expect(r.body.error).toBe('Unprocessable Entity');
		expect(r.body.message).toEqual(expect.arrayContaining([
			'property foo should not exist',
			'email must be an email',
			'role must be one of the following values: admin, user',
			'each value in locationIds must be a string',
			'permissions.campaignsEnabled must be a boolean value',
			'permissions.property nope should not exist',
			'lastName should not be empty',
			'lastName must be a string',
		]));
		expect(sandbox.users.size).toBe(0);
		// refusing unknown properties everywhere is the sandbox's own rule, and the answer says so
		expect(r.headers.get('x-sandbox-stricter')).toMatch(/^unknown body properties are refused on every route/);

		const types = await call('POST', '/users/', { body: newUser({ type: 'owner', locationIds: 'x' }) });
		expect(types.body.message).toEqual(expect.arrayContaining(['type must be one of the following values: account, agency', 'locationIds must be an array']));
		expect(types.headers.get('x-sandbox-stricter')).toBeNull(); // the documents' own enums
	});

	it('answers 400 to a body that is not JSON', async () => {
		const r = await call('POST', '/users/', { raw: '{"firstName": ' });
		expect(r.status).toBe(400);
		expect(r.body.statusCode).toBe(400);
		expect(r.body.message).toMatch(/JSON/);
	});

	it('refuses an email change on update and a foreign company', async () => {
		const { body: user } = await call('POST', '/users/', { body: newUser() });
		const change = await call('PUT', `/users/${user.id}`, { body: { email: 'new@example.com' } });
		expect(change.status).toBe(400);
		expect(change.body.message).toMatch(/Email update is no longer supported/);
		expect((await call('PUT', `/users/${user.id}`, { body: { email: 'ADA@example.com', lastName: 'King' } })).status).toBe(200);
		expect((await call('POST', '/users/', { body: newUser({ companyId: 'otherCompany', email: 'b@example.com' }) })).status).toBe(403);
		expect((await call('PUT', `/users/${user.id}`, { body: { bogus: 1 } })).status).toBe(422);
	});

	it('filters by email for an agency token only', async () => {
		const { body: user } = await call('POST', '/users/', { body: newUser() });
		const agency = sandbox.issueToken(['users.readonly'], { userType: 'Company' });
		const r = await call('POST', '/users/search/filter-by-email', { token: agency, body: { companyId: COMPANY, emails: 'x@y.com,ADA@example.com' } });
		expect(r.status).toBe(200);
		expect(r.body).toEqual({ users: [{ id: user.id, email: 'ada@example.com' }], count: 1 });
		expect((await call('POST', '/users/search/filter-by-email', { body: { companyId: COMPANY, emails: 'ada@example.com' } })).status).toBe(401);
	});
});

describe('workflows', () => {
	it('lists the seeded workflows of the location, with ids stable across instances', async () => {
		const r = await call('GET', `/workflows/?locationId=${LOCATION}`);
		expect(r.status).toBe(200);
		expect(r.body.workflows.map((w: { name: string; status: string }) => [w.name, w.status])).toEqual([
			['Welcome', 'published'],
			['Re-engagement', 'published'],
			['Rank Up Announcement', 'draft'],
		]);
		for (const w of r.body.workflows) expect(Object.keys(w).sort()).toEqual(['createdAt', 'id', 'locationId', 'name', 'status', 'updatedAt', 'version']);
		const other = new EmailApiSandbox();
		expect(other.seededWorkflowIds()).toEqual(sandbox.seededWorkflowIds());
		expect(r.body.workflows[0].id).toBe(sandbox.seededWorkflowIds().welcome);
		expect((await call('GET', '/workflows/')).status).toBe(422);
	});
});

describe('contacts and workflow enrolment', () => {
	it('upserts by email (case-insensitive) or phone within the location', async () => {
		const first = await call('POST', '/contacts/upsert', { body: { locationId: LOCATION, email: 'Grace@Example.com', firstName: 'Grace', lastName: 'Hopper' } });
		expect(first.status).toBe(200);
		expect(first.body.new).toBe(true);
		expect(typeof first.body.traceId).toBe('string');
		expect(first.body.contact).toMatchObject({ email: 'Grace@Example.com', emailLowerCase: 'grace@example.com', locationId: LOCATION, name: 'Grace Hopper' });
		const second = await call('POST', '/contacts/upsert', { body: { locationId: LOCATION, email: 'grace@example.com', phone: '+1 555-010-0000', tags: ['rankr'] } });
		expect(second.body.new).toBe(false);
		expect(second.body.contact.id).toBe(first.body.contact.id);
		expect(second.body.contact.tags).toEqual(['rankr']);
		const byPhone = await call('POST', '/contacts/upsert', { body: { locationId: LOCATION, phone: '+15550100000' } });
		expect(byPhone.body).toMatchObject({ new: false, contact: { id: first.body.contact.id } });
		expect(sandbox.contacts.size).toBe(1);

		const got = await call('GET', `/contacts/${first.body.contact.id}`);
		expect(got.body.contact.id).toBe(first.body.contact.id);
		expect((await call('POST', '/contacts/upsert', { body: { email: 'x@example.com' } })).body.message).toContain('locationId should not be empty');
	});

	it('enrols a contact in a workflow and sends its email once while enrolled', async () => {
		const { body } = await call('POST', '/contacts/upsert', { body: { locationId: LOCATION, email: 'ada@example.com', firstName: 'Ada' } });
		const contactId = body.contact.id;
		const { welcome, draft } = sandbox.seededWorkflowIds();

		const add = await call('POST', `/contacts/${contactId}/workflow/${welcome}`, { body: {} });
		expect(add.status).toBe(200);
		expect(add.body).toEqual({ succeded: true });
		expect(sandbox.emailsSent).toEqual([expect.objectContaining({ to: 'ada@example.com', workflowId: welcome, workflowName: 'Welcome', contactId })]);
		expect(sandbox.enrolments).toHaveLength(1);

		const again = await call('POST', `/contacts/${contactId}/workflow/${welcome}`);
		expect(again.status).toBe(200);
		expect(sandbox.emailsSent).toHaveLength(1);

		expect((await call('DELETE', `/contacts/${contactId}/workflow/${welcome}`)).body).toEqual({ succeded: true });
		expect(sandbox.enrolments).toHaveLength(0);
		await call('POST', `/contacts/${contactId}/workflow/${welcome}`, { body: { eventStartTime: '2021-06-23T03:30:00+01:00' } });
		expect(sandbox.emailsSent).toHaveLength(2);

		expect((await call('POST', `/contacts/${contactId}/workflow/${draft}`)).status).toBe(400);
		const unknownWorkflow = await call('POST', `/contacts/${contactId}/workflow/00000000-0000-4000-a000-000000000000`);
		expect(unknownWorkflow.body).toEqual({ statusCode: 400, message: 'Workflow not found' });
		const unknownContact = await call('POST', `/contacts/AAAAAAAAAAAAAAAAAAAA/workflow/${welcome}`);
		expect(unknownContact.body).toEqual({ statusCode: 400, message: 'Contact not found' });
		expect((await call('POST', `/contacts/${contactId}/workflow/${welcome}`, { body: { eventStartTime: 'tomorrow' } })).status).toBe(422);
		expect(sandbox.emailsSent).toHaveLength(2);

		expect((await call('DELETE', `/contacts/${contactId}`)).body).toEqual({ succeded: true });
		expect((await call('GET', `/contacts/${contactId}`)).status).toBe(400);
	});

	it('needs contacts.write to enrol', async () => {
		const token = sandbox.issueToken(['contacts.readonly']);
		const { welcome } = sandbox.seededWorkflowIds();
		expect((await call('POST', `/contacts/AAAAAAAAAAAAAAAAAAAA/workflow/${welcome}`, { token })).status).toBe(401);
	});
});

describe('contacts: search, tags, custom fields (contacts.json, contacts-search.md, locations.json)', () => {
	/**
	 * The documents give a custom field's `value` as a string; the options of a CHECKBOX or MULTIPLE_OPTIONS field are
	 * answered as a list (their input, CheckboxField and MultiSelectField, is one): the one known departure.
	 */
	const LIST_VALUE = /^\w+ \/contacts\/(upsert|\{contactId\}) 200: \/contact\/customFields\/\d+\/value must be string/;
	const documented = (errors: string[]) => errors.filter((e) => !LIST_VALUE.test(e));

	async function upsert(body: Record<string, unknown>) {
		const r = await call('POST', '/contacts/upsert', { body: { locationId: LOCATION, ...body } });
		expect(documented(answerErrors('POST', '/contacts/upsert', r.status, r.body))).toEqual([]);
		return r;
	}

	it('searches with the body contacts-search.md gives: {contacts, total}, each contact with its searchAfter', async () => {
		await upsert({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', tags: ['rankr', 'vip'] });
		sandbox.clock.advance(1000);
		await upsert({ email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper', phone: '+1 555-010-0000', tags: ['rankr'] });
		sandbox.clock.advance(1000);
		await upsert({ email: 'alan@example.com', firstName: 'Alan', lastName: 'Turing', dnd: true });
		const body = {
			locationId: LOCATION,
			pageLimit: 2,
			filters: [{ field: 'tags', operator: 'eq', value: 'rankr' }, { group: 'OR', filters: [{ field: 'firstNameLowerCase', operator: 'eq', value: 'ada' }, { field: 'phone', operator: 'exists' }] }],
			sort: [{ field: 'dateAdded', direction: 'desc' }],
		};
		expect(searchBodyErrors(JSON.stringify(body))).toEqual([]);
		const r = await call('POST', '/contacts/search', { body });
		expect(r.status).toBe(200);
		expect(answerErrors('POST', '/contacts/search', 200, r.body)).toEqual([]);
		expect(Object.keys(r.body).sort()).toEqual(['contacts', 'total']);
		expect(r.body.total).toBe(2);
		expect(r.body.contacts.map((c: { email: string }) => c.email)).toEqual(['grace@example.com', 'ada@example.com']);
		for (const c of r.body.contacts) {
			expect(schemaErrors('contacts.json', 'ContactsSearchSchema', c)).toEqual([]);
			expect(c.searchAfter).toEqual([Date.parse(c.dateAdded), c.id]);
		}
		// the last contact's searchAfter gives the page after it
		const next = await call('POST', '/contacts/search', { body: { locationId: LOCATION, pageLimit: 2, searchAfter: r.body.contacts[0].searchAfter } });
		expect(next.body.contacts.map((c: { email: string }) => c.email)).toEqual(['ada@example.com']);
		expect(next.body.total).toBe(3);
		// the full-text query: name, email or phone, case aside
		expect((await call('POST', '/contacts/search', { body: { locationId: LOCATION, pageLimit: 10, query: 'HOPPER' } })).body.total).toBe(1);
		expect((await call('POST', '/contacts/search', { body: { locationId: LOCATION, pageLimit: 10, query: '5550100000' } })).body.total).toBe(1);
	});

	it('refuses with 400 (the only client error the search documents) what contacts-search.md does not allow, as the document reads', async () => {
		const bodies = [
			{ locationId: LOCATION, pageLimit: 501 },
			{ locationId: LOCATION },
			{ locationId: LOCATION, pageLimit: 100, page: 101 },
			{ locationId: LOCATION, pageLimit: 10, page: 1, searchAfter: [0, 'x'] },
			{ locationId: LOCATION, pageLimit: 10, query: 'x'.repeat(76) },
			{ locationId: LOCATION, pageLimit: 10, filters: [{ field: 'email', operator: 'exists', value: 'x' }] },
			{ locationId: LOCATION, pageLimit: 10, filters: [{ field: 'email', operator: 'eq', value: 'x'.repeat(76) }] },
			{ locationId: LOCATION, pageLimit: 10, filters: [{ field: 'dateAdded', operator: 'range', value: { since: 1 } }] },
			{ locationId: LOCATION, pageLimit: 10, sort: [{ field: 'dateAdded', direction: 'newest' }] },
		];
		for (const body of bodies) {
			const r = await call('POST', '/contacts/search', { body });
			expect(r.status).toBe(400);
			expect(r.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
			expect(r.body.message).toHaveLength(1);
			expect(searchBodyErrors(JSON.stringify(body))).toHaveLength(1); // the fixture's own reading of the document agrees
		}
		const unknown = await call('POST', '/contacts/search', { body: { locationId: LOCATION, pageLimit: 10, limit: 10 } });
		expect(unknown.body.message).toEqual(['property limit should not exist']);
		expect(unknown.headers.get('x-sandbox-stricter')).toMatch(/^unknown body properties are refused/);
		expect((await call('POST', '/contacts/search', { raw: '{"locationId": ' })).status).toBe(400);
	});

	it('search needs contacts.readonly and the token\'s own location', async () => {
		const writeOnly = sandbox.issueToken(['contacts.write']);
		expect((await call('POST', '/contacts/search', { token: writeOnly, body: { locationId: LOCATION, pageLimit: 10 } })).status).toBe(401);
		const readOnly = sandbox.issueToken(['contacts.readonly']);
		expect((await call('POST', '/contacts/search', { token: readOnly, body: { locationId: LOCATION, pageLimit: 10 } })).body).toEqual({ contacts: [], total: 0 });
		const other = await call('POST', '/contacts/search', { body: { locationId: 'otherLocation00000000', pageLimit: 10 } });
		expect(other.status).toBe(403);
		expect(other.body).toEqual({ statusCode: 403, message: 'The token does not have access to this location.' });
		const agency = sandbox.issueToken(API_SCOPES, { userType: 'Company' });
		expect((await call('POST', '/contacts/search', { token: agency, body: { locationId: LOCATION, pageLimit: 10 } })).status).toBe(401);
	});

	it('adds tags (201) and removes them (200) as TagsDTO and its answers document, idempotently', async () => {
		const { body } = await upsert({ email: 'ada@example.com', tags: ['rankr'] });
		const id = body.contact.id;
		const add = { tags: ['VIP', 'rankr'] };
		expect(requestBodyErrors('POST', `/contacts/${id}/tags`, JSON.stringify(add))).toEqual([]);
		const added = await call('POST', `/contacts/${id}/tags`, { body: add });
		expect(added.status).toBe(201);
		expect(answerErrors('POST', '/contacts/{contactId}/tags', 201, added.body)).toEqual([]);
		expect(added.body).toEqual({ tags: ['rankr', 'vip'] });
		const removed = await call('DELETE', `/contacts/${id}/tags`, { body: { tags: ['rankr', 'absent'] } });
		expect(removed.status).toBe(200);
		expect(answerErrors('DELETE', '/contacts/{contactId}/tags', 200, removed.body)).toEqual([]);
		expect(removed.body).toEqual({ tags: ['vip'] });
		expect((await call('GET', `/contacts/${id}`)).body.contact.tags).toEqual(['vip']);

		const missing = await call('POST', `/contacts/${id}/tags`, { body: {} });
		expect(missing.status).toBe(422);
		expect(answerErrors('POST', '/contacts/{contactId}/tags', 422, missing.body)).toEqual([]);
		expect(requestBodyErrors('POST', `/contacts/${id}/tags`, '{}')).not.toEqual([]); // the document requires tags too
		const unknown = await call('DELETE', '/contacts/AAAAAAAAAAAAAAAAAAAA/tags', { body: { tags: ['vip'] } });
		expect(unknown.body).toEqual({ statusCode: 400, message: 'Contact not found' });
		expect(answerErrors('DELETE', '/contacts/{contactId}/tags', 400, unknown.body)).toEqual([]);
		const readOnly = sandbox.issueToken(['contacts.readonly']);
		expect((await call('POST', `/contacts/${id}/tags`, { token: readOnly, body: add })).status).toBe(401);
	});

	it("lists a location's custom fields as locations.json documents them (locations/customFields.readonly)", async () => {
		const fields = sandbox.defineCustomFields({
			fields: [
				{ name: 'Rank', dataType: 'NUMERICAL' },
				{ name: 'Interests', dataType: 'MULTIPLE_OPTIONS', options: ['chess', 'go'] },
				{ name: 'Deal size', dataType: 'MONETORY', model: 'opportunity' },
			],
		});
		const r = await call('GET', `/locations/${LOCATION}/customFields`);
		expect(r.status).toBe(200);
		expect(answerErrors('GET', '/locations/{locationId}/customFields', 200, r.body)).toEqual([]);
		expect(r.body.customFields.map((f: { name: string }) => f.name)).toEqual(['Rank', 'Interests']);
		expect(r.body.customFields[1]).toMatchObject({ id: fields[1].id, fieldKey: 'contact.interests', dataType: 'MULTIPLE_OPTIONS', picklistOptions: ['chess', 'go'], model: 'contact', locationId: LOCATION });
		expect((await call('GET', `/locations/${LOCATION}/customFields?model=all`)).body.customFields).toHaveLength(3);
		expect((await call('GET', `/locations/${LOCATION}/customFields?model=opportunity`)).body.customFields.map((f: { name: string }) => f.name)).toEqual(['Deal size']);
		const bad = await call('GET', `/locations/${LOCATION}/customFields?model=user`);
		expect(bad.status).toBe(422);
		expect(bad.body.message).toEqual(['model must be one of the following values: contact, opportunity, all']);
		expect((await call('GET', '/locations/otherLocation00000000/customFields')).status).toBe(403);
		expect((await call('GET', `/locations/${LOCATION}/customFields`, { token: sandbox.issueToken(['contacts.readonly']) })).status).toBe(401);
	});

	it('upsert and update take customFields as UpsertContactDto documents them, each value checked against its field', async () => {
		const [rank, interests, plan, joined] = sandbox.defineCustomFields({
			fields: [
				{ name: 'Rank', dataType: 'NUMERICAL' },
				{ name: 'Interests', dataType: 'CHECKBOX', options: ['chess', 'go'] },
				{ name: 'Plan', dataType: 'SINGLE_OPTIONS', options: ['free', 'pro'] },
				{ name: 'Joined', dataType: 'DATE' },
			],
		});
		const body = {
			locationId: LOCATION,
			email: 'ada@example.com',
			customFields: [
				{ id: rank.id, field_value: '12' },
				{ id: interests.id, field_value: ['chess'] },
				{ id: plan.id, key: 'plan', field_value: 'pro' },
			],
		};
		expect(requestBodyErrors('POST', '/contacts/upsert', JSON.stringify(body))).toEqual([]);
		const created = await upsert(body);
		expect(created.status).toBe(200);
		expect(created.body.contact.customFields).toEqual([
			{ id: rank.id, value: '12' },
			{ id: interests.id, value: ['chess'] },
			{ id: plan.id, value: 'pro' },
		]);
		expect(answerErrors('POST', '/contacts/upsert', 200, created.body)).toEqual(['POST /contacts/upsert 200: /contact/customFields/1/value must be string {"type":"string"}']);
		const id = created.body.contact.id;
		// update: by key, one value changed, one cleared, one added
		const update = { customFields: [{ key: 'contact.plan', field_value: 'free' }, { id: interests.id, field_value: '' }, { id: joined.id, field_value: '2024-05-01' }] };
		const updated = await call('PUT', `/contacts/${id}`, { body: update });
		expect(updated.status).toBe(200);
		expect(answerErrors('PUT', '/contacts/{contactId}', 200, updated.body)).toEqual([]);
		expect(updated.body.contact.customFields).toEqual([
			{ id: rank.id, value: '12' },
			{ id: plan.id, value: 'free' },
			{ id: joined.id, value: '2024-05-01' },
		]);

		const wrong = await call('PUT', `/contacts/${id}`, {
			body: { customFields: [{ id: rank.id, field_value: 'twelve' }, { id: plan.id, field_value: 'gold' }, { id: interests.id, field_value: ['poker'] }, { id: 'notAFieldId', field_value: 'x' }, { key: 'nope', field_value: 'x' }, { id: joined.id, field_value: 'soon' }] },
		});
		expect(wrong.status).toBe(422);
		expect(answerErrors('PUT', '/contacts/{contactId}', 422, wrong.body)).toEqual([]);
		expect(wrong.body.message).toEqual([
			'customFields.0.field_value must be a number conforming to the specified constraints',
			'customFields.1.field_value must be one of the following values: free, pro',
			'each value in customFields.2.field_value must be one of the following values: chess, go',
			'customFields.3.id must be the id of a contact custom field of this location',
			'customFields.4.key must be the key of a contact custom field of this location',
			'customFields.5.field_value must be a valid ISO 8601 date string',
		]);
		expect(wrong.headers.get('x-sandbox-stricter')).toMatch(/^custom field values must name a contact custom field/);
		expect(sandbox.contacts.get(id).customFields).toHaveLength(3);
	});

	it('upserts by phone alone: the contact with that phone, however it is written; email first when both match others', async () => {
		const ada = (await upsert({ email: 'ada@example.com', phone: '+1 555-010-0001' })).body.contact;
		const grace = (await upsert({ phone: '+15550100002', firstName: 'Grace' })).body.contact;
		expect(ada.phone).toBe('+15550100001');
		const byPhone = await upsert({ phone: '+1 (555) 010-0002', lastName: 'Hopper' });
		expect(byPhone.body).toMatchObject({ new: false, contact: { id: grace.id, name: 'Grace Hopper' } });
		expect(requestBodyErrors('POST', '/contacts/upsert', JSON.stringify({ locationId: LOCATION, phone: '+1 (555) 010-0002' }))).toEqual([]);
		// email and phone matching two contacts: the email's contact is updated, its phone left alone
		const both = await upsert({ email: 'ADA@example.com', phone: '+15550100002', firstName: 'Augusta' });
		expect(both.body.contact).toMatchObject({ id: ada.id, firstName: 'Augusta', phone: '+15550100001' });
		expect(sandbox.contacts.size).toBe(2);
	});
});

describe('courses', () => {
	const product = {
		title: 'Ranking 101',
		description: 'How ranks work',
		categories: [{ title: 'Basics', visibility: 'published', posts: [{ title: 'Intro', visibility: 'draft', contentType: 'video', description: 'Welcome' }] }],
		instructorDetails: { name: 'Ada', description: 'Instructor' },
	};

	it('imports courses (201) and validates the nested payload', async () => {
		const r = await call('POST', '/courses/courses-exporter/public/import', { body: { locationId: LOCATION, products: [product] } });
		expect(r.status).toBe(201);
		expect(sandbox.courseImports).toHaveLength(1);
		expect(sandbox.courseImports[0]).toMatchObject({ locationId: LOCATION, products: [product] });

		const bad = await call('POST', '/courses/courses-exporter/public/import', {
			body: { locationId: LOCATION, products: [{ ...product, categories: [{ title: 'x', posts: [{ title: 'p', visibility: 'draft', contentType: 'audio', description: 'd' }] }] }] },
		});
		expect(bad.status).toBe(422);
		expect(bad.body.message).toEqual(expect.arrayContaining([
			'products.0.categories.0.visibility should not be empty',
			'products.0.categories.0.posts.0.contentType must be one of the following values: video, assignment, quiz',
		]));
		expect((await call('POST', '/courses/courses-exporter/public/import', { body: { products: [] } })).body.message).toContain('locationId should not be empty');
		expect(sandbox.courseImports).toHaveLength(1);
	});
});

describe('OAuth 2.0', () => {
	async function authorize(state = 'xyz'): Promise<string> {
		const query = new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: 'users.write users.readonly', state });
		const r = await call('GET', `/oauth/chooselocation?${query}`, { token: null, version: null });
		expect(r.status).toBe(302);
		const location = new URL(r.headers.get('location')!);
		expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
		expect(location.searchParams.get('state')).toBe(state);
		return location.searchParams.get('code')!;
	}

	async function token(values: Record<string, string>, headers: Record<string, string> = {}) {
		return call('POST', '/oauth/token', { token: null, version: null, raw: form(values), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
	}

	it('exchanges a code for tokens, uses them, and rotates the refresh token', async () => {
		const code = await authorize();
		const r = await token({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'authorization_code', code, redirect_uri: REDIRECT, user_type: 'Location' });
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 86399, scope: 'users.write users.readonly', userType: 'Location', locationId: LOCATION, companyId: COMPANY });
		expect(typeof r.body.access_token).toBe('string');
		expect(typeof r.body.refresh_token).toBe('string');
		expect(typeof r.body.userId).toBe('string');

		expect((await call('POST', '/users/', { token: r.body.access_token, body: newUser() })).status).toBe(201);
		expect((await call('GET', `/workflows/?locationId=${LOCATION}`, { token: r.body.access_token })).status).toBe(401); // not granted

		const reused = await token({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'authorization_code', code });
		expect(reused.status).toBe(400);

		const refreshed = await token({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'refresh_token', refresh_token: r.body.refresh_token });
		expect(refreshed.status).toBe(200);
		expect(refreshed.body.refresh_token).not.toBe(r.body.refresh_token);
		expect(refreshed.body.access_token).not.toBe(r.body.access_token);
		const old = await token({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'refresh_token', refresh_token: r.body.refresh_token });
		expect(old.status).toBe(400);
		expect(old.body.statusCode).toBe(400);

		sandbox.clock.advance(86399000);
		expect((await call('GET', `/users/?locationId=${LOCATION}`, { token: refreshed.body.access_token })).body.message).toMatch(/expired/);
	});

	it('refuses a wrong secret (401) and client credentials outside the body (422)', async () => {
		const code = sandbox.issueAuthCode(CLIENT_ID, ['users.write']);
		const wrong = await token({ client_id: CLIENT_ID, client_secret: 'nope', grant_type: 'authorization_code', code });
		expect(wrong.status).toBe(401);
		expect(wrong.body.statusCode).toBe(401);
		const basic = await token({ grant_type: 'authorization_code', code }, { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` });
		expect(basic.status).toBe(422);
		expect(basic.body.message).toEqual(expect.arrayContaining(['client_id should not be empty', 'client_secret should not be empty']));
		const good = await token({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'authorization_code', code });
		expect(good.status).toBe(200);
		expect(good.body.scope).toBe('users.write');
	});

	it('refuses an unknown client or a scope the app does not have on the authorization page', async () => {
		const unknown = await call('GET', `/oauth/chooselocation?client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT)}`, { token: null });
		expect(unknown.status).toBe(400);
		const scope = await call('GET', `/oauth/chooselocation?client_id=${CLIENT_ID}&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=contacts.write`, { token: null });
		expect(scope.status).toBe(400);
	});
});

describe('control routes', () => {
	it('issues a token over HTTP and shows the state', async () => {
		const res = await fetch(`${sandbox.url}/__sandbox/tokens`, { method: 'POST', body: JSON.stringify({ scopes: ['workflows.readonly'] }) });
		const { token } = (await res.json()) as { token: string };
		expect((await call('GET', `/workflows/?locationId=${LOCATION}`, { token })).status).toBe(200);
		const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as { workflows: Array<{ locationId: string }>; stats: { requests: number } };
		expect(state.workflows.filter((w) => w.locationId === LOCATION)).toHaveLength(3);
		expect(state.stats.requests).toBe(1);
	});

	it('an echo fault answers like a proxy that echoes the request, credentials included; a bad one is refused', async () => {
		const post = (fault: unknown) => fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(fault) });
		expect((await post({ kind: 'echo', status: 'x' })).status).toBe(400);
		expect((await post({ route: 'POST /users', kind: 'echo', status: 502 })).status).toBe(200);
		const r = await call('POST', '/users/', { body: newUser() });
		expect(r.status).toBe(502);
		expect(r.body).toMatchObject({ method: 'POST', url: '/users/', headers: { authorization: `Bearer ${FULL}` }, body: { email: 'ada@example.com' } });
		expect(sandbox.users.size).toBe(0);
	});

	it('seeds contacts and defines custom fields over HTTP', async () => {
		const seeded = await fetch(`${sandbox.url}/__sandbox/contacts/seed`, { method: 'POST', body: JSON.stringify({ count: 1200 }) });
		expect(await seeded.json()).toEqual({ locationId: LOCATION, seeded: 1200, total: 1200 });
		const defined = await fetch(`${sandbox.url}/__sandbox/custom-fields`, { method: 'POST', body: JSON.stringify({ fields: [{ name: 'Rank', dataType: 'NUMERICAL' }] }) });
		const { customFields } = (await defined.json()) as { customFields: Array<{ id: string }> };
		expect((await call('GET', `/locations/${LOCATION}/customFields`)).body.customFields.map((f: { id: string }) => f.id)).toEqual([customFields[0].id]);
		expect((await call('POST', '/contacts/search', { body: { locationId: LOCATION, pageLimit: 500 } })).body.total).toBe(1200);
	});

	it('a workflow with re-entry allowed enrols (and emails) a contact again each time it is added', async () => {
		const res = await fetch(`${sandbox.url}/__sandbox/workflows`, { method: 'POST', body: JSON.stringify({ name: 'Weekly Digest', allowReentry: true }) });
		const digest = (await res.json()) as { id: string };
		const contact = await call('POST', '/contacts/upsert', { body: { locationId: LOCATION, email: 'grace@example.com' } });
		for (let i = 0; i < 2; i++) expect((await call('POST', `/contacts/${contact.body.contact.id}/workflow/${digest.id}`, { body: {} })).status).toBe(200);
		expect(sandbox.emailsSent.filter((e: { workflowId: string }) => e.workflowId === digest.id)).toHaveLength(2);
	});
});
