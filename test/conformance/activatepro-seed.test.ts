// Jest (conformance): the ActivatePro sandbox against the vendor document's own examples.
// The ActivatePro sandbox answering the vendor's own examples: every request example of the User Management API v2
// document (seed 003), sent as written (its headers, its bodies), and the answers the document gives for them.
// The examples below are checked against the seed's text first, so they cannot drift from what the vendor wrote.
import { sleep } from 'n8n-workflow';

import { AP_KEY, startActivatePro } from '../helpers/activatepro-fixture';
import { sandboxPerFile } from '../helpers/perFile';
import { readSeed } from '../helpers/spec-files';
import { DEFAULT_ATTRIBUTES } from '../../scripts/sandbox/activatepro-sandbox';
import { STRICTER_HEADER } from '../../scripts/sandbox/sandbox-server';

const sandbox = sandboxPerFile(() => startActivatePro());
const DAY_MS = 24 * 60 * 60 * 1000;
/** A JSON answer, read field by field as the document describes it. */
type Parsed = ReturnType<typeof JSON.parse>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The seed's examples, as written there.
const SEED_HEADERS = ['Content-Type:application/json', 'X-XNG-ApiVersion:2', 'X-XNG-AuthToken:YourAPIKey'];
const SEED_URLS = [
	'GET https://api.crossengage.io/users/id',
	'DELETE https://api.crossengage.io/users/id',
	'GET https://api.crossengage.io/users/email/email/bu/bu',
	'PUT https://api.crossengage.io/users',
	'POST https://api.crossengage.io/users/batch',
	'GET https://api.crossengage.io/users/track/trackingId',
];
const PUT_BODY = {
	id: '31d29083-b3ad-4864-9d0c-dc20a9fa72c8',
	email: 'john.doe@example.com',
	firstName: 'John',
	lastName: 'Doe',
	birthday: '1982-08-30',
	createdAt: '2015-10-02T08:23:53Z',
	gender: 'male',
	businessUnit: 'DE',
};
const BATCH_BODY = {
	updated: [
		{
			email: 'john.doe@example.com',
			id: 'fb85fe50-a528-11e7-abc4-cec278b6b50a',
			firstName: 'John',
			lastName: 'Doe',
			birthday: '1982-08-30',
			createdAt: '2015-10-02T08:23:53Z',
			gender: 'male',
		},
	],
	deleted: [{ email: 'jane.doe@example.com', id: '1234' }],
};
/** The fields of the document's GET answer (xngId is ActivatePro's own id). */
const USER_ANSWER_FIELDS = ['email', 'id', 'xngId', 'firstName', 'lastName', 'birthday', 'createdAt', 'gender'];
const INVALID_EMAIL = 'lovecrossengage.io';

/** Whitespace-insensitive: the seed's JSON is indented, ours is not. */
const squeeze = (text: string) => text.replace(/\s+/g, '');

/** A request as the document writes it: its three headers, with the sandbox's key for "YourAPIKey". */
async function call(method: string, path: string, body?: unknown, { apiKey = AP_KEY, raw }: { apiKey?: string; raw?: string } = {}) {
	const res = await fetch(`${sandbox.url}${path}`, {
		method,
		headers: { 'Content-Type': 'application/json', 'X-XNG-ApiVersion': '2', 'X-XNG-AuthToken': apiKey },
		body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
	});
	const text = await res.text();
	let json: Parsed;
	try {
		json = text === '' ? undefined : JSON.parse(text);
	} catch {
		json = undefined;
	}
	const answer = { status: res.status, contentType: res.headers.get('content-type') ?? '', body: json, stricter: res.headers.get(STRICTER_HEADER) };
	answers.push({ method, path, stricter: answer.stricter });
	return answer;
}

/** Every answer of the test, to check that the document's own examples never meet one of the sandbox's own rules. */
let answers: Array<{ method: string; path: string; stricter: string | null }> = [];
beforeEach(() => {
	answers = [];
});

/** Polls request tracking (a bounded number of times) until the request is PROCESSED; returns every answer. */
async function trackUntilProcessed(trackingId: string) {
	const polls: Array<{ status: number; body: Parsed }> = [];
	for (let poll = 0; poll < 200; poll++) {
		const answer = await call('GET', `/users/track/${trackingId}`);
		polls.push(answer);
		if (answer.status !== 200 || answer.body?.stage === 'PROCESSED') break;
		await sleep(10);
	}
	return polls;
}

async function processed(trackingId: string) {
	const polls = await trackUntilProcessed(trackingId);
	for (const answer of polls) {
		expect(answer.status).toBe(200);
		expect(Object.keys(answer.body).sort()).toEqual(['error', 'stage', 'success', 'total']);
		expect(['PENDING', 'PROCESSED']).toContain(answer.body.stage);
	}
	return polls.at(-1)!.body;
}

describe("the ActivatePro sandbox answers the seed's examples as the document does", () => {
	afterEach(() => {
		// the document's examples meet only the document's rules: no answer says the sandbox was stricter
		expect(answers.filter((a) => a.stricter !== null)).toEqual([]);
	});

	test('the examples here are the seed\'s own: its URLs, headers and bodies', () => {
		const seed = readSeed('003');
		const lines = new Set(seed.split('\n').map((line) => line.trim()));
		for (const url of SEED_URLS) expect(lines).toContain(url);
		for (const header of SEED_HEADERS) expect(lines).toContain(header);
		const squeezedSeed = squeeze(seed);
		expect(squeezedSeed).toContain(squeeze(JSON.stringify(PUT_BODY)));
		expect(squeezedSeed).toContain(squeeze(JSON.stringify(BATCH_BODY)));
		expect(squeezedSeed).toContain(squeeze(`{"email": "john.doe@example.com", "id": "fb85fe50-a528-11e7-abc4-cec278b6b50a", "xngId": "123e4567-e89b-12d3-a456-426655440000", "firstName": "John", "lastName": "Doe", "birthday": "1982-08-30", "createdAt": "2015-10-02T08:23:53Z", "gender": "male"}`));
		expect(seed).toContain(`Invalid email "${INVALID_EMAIL}"`);
		expect(seed).toContain('"Max batch request size is 1,000, but was 5,000"');
	});

	test('PUT /users with the example body: 202 with a trackingId, processed as one user, then GET /users/{id} answers the profile', async () => {
		const accepted = await call('PUT', '/users', PUT_BODY);
		expect(accepted.status).toBe(202);
		expect(accepted.contentType.toLowerCase()).toBe('application/json;charset=utf-8');
		expect(Object.keys(accepted.body)).toEqual(['trackingId']);
		expect(accepted.body.trackingId).toMatch(UUID);
		expect(await processed(accepted.body.trackingId)).toEqual({ stage: 'PROCESSED', total: 1, success: 1, error: 0 });

		const got = await call('GET', `/users/${PUT_BODY.id}`);
		expect(got.status).toBe(200);
		expect(got.contentType.toLowerCase()).toBe('application/json;charset=utf-8');
		for (const field of USER_ANSWER_FIELDS) expect(got.body).toHaveProperty(field);
		expect(got.body).toMatchObject(PUT_BODY);
		expect(got.body.xngId).toMatch(UUID);
	});

	test('an update changes only the fields given; a new id with an existing email is a processing error', async () => {
		await processed((await call('PUT', '/users', PUT_BODY)).body.trackingId);
		const changed = await call('PUT', '/users', { id: PUT_BODY.id, email: PUT_BODY.email, lastName: 'Doe-Smith' });
		expect(await processed(changed.body.trackingId)).toEqual({ stage: 'PROCESSED', total: 1, success: 1, error: 0 });
		expect((await call('GET', `/users/${PUT_BODY.id}`)).body).toMatchObject({ ...PUT_BODY, lastName: 'Doe-Smith' });

		const clash = await call('PUT', '/users', { id: 'another-id', email: PUT_BODY.email });
		expect(clash.status).toBe(202); // accepted, then fails in processing, as the document says
		expect(await processed(clash.body.trackingId)).toEqual({ stage: 'PROCESSED', total: 1, success: 0, error: 1 });
		expect((await call('GET', '/users/another-id')).status).toBe(404);
	});

	test('GET /users/email/{email}/bu/{bu}: case-insensitive, exact match only, 404 otherwise', async () => {
		await processed((await call('PUT', '/users', PUT_BODY)).body.trackingId);
		const byEmail = await call('GET', '/users/email/john.doe@example.com/bu/DE');
		expect(byEmail.status).toBe(200);
		expect(byEmail.body).toMatchObject({ id: PUT_BODY.id, email: PUT_BODY.email });
		expect((await call('GET', '/users/email/JOHN.DOE@Example.COM/bu/de')).body).toMatchObject({ id: PUT_BODY.id });
		expect((await call('GET', '/users/email/john.doe@example.com')).status).toBe(200); // "bu is optional"
		for (const path of ['/users/email/john.doe@example.co/bu/DE', '/users/email/ohn.doe@example.com/bu/DE', '/users/email/john.doe@example.com/bu/FR']) {
			const missing = await call('GET', path);
			expect({ path, status: missing.status }).toEqual({ path, status: 404 });
		}
	});

	test('GET /users/{id} of an unknown user is 404; DELETE is 202, and a repeated or unknown DELETE is a success too', async () => {
		expect((await call('GET', '/users/fb85fe50-a528-11e7-abc4-cec278b6b50a')).status).toBe(404);
		await processed((await call('PUT', '/users', PUT_BODY)).body.trackingId);
		for (let attempt = 0; attempt < 2; attempt++) {
			const deleted = await call('DELETE', `/users/${PUT_BODY.id}`);
			expect(deleted.status).toBe(202);
			expect(deleted.body.trackingId).toMatch(UUID);
			expect(await processed(deleted.body.trackingId)).toEqual({ stage: 'PROCESSED', total: 1, success: 1, error: 0 });
			expect((await call('GET', `/users/${PUT_BODY.id}`)).status).toBe(404);
		}
	});

	test('POST /users/batch with the example body: 202, both entries processed (deleting an unknown user succeeds)', async () => {
		const accepted = await call('POST', '/users/batch', BATCH_BODY);
		expect(accepted.status).toBe(202);
		expect(Object.keys(accepted.body)).toEqual(['trackingId']);
		expect(await processed(accepted.body.trackingId)).toEqual({ stage: 'PROCESSED', total: 2, success: 2, error: 0 });
		expect((await call('GET', `/users/${BATCH_BODY.updated[0].id}`)).body).toMatchObject(BATCH_BODY.updated[0]);
	});

	test("a batch with the example's invalid email: 400 with a trackingId and error 4 at its pointer; the valid entries are processed", async () => {
		const body = { updated: [{ ...BATCH_BODY.updated[0], email: INVALID_EMAIL }, { id: 'u2', email: 'jane.doe@example.com' }] };
		const answer = await call('POST', '/users/batch', body);
		expect(answer.status).toBe(400);
		expect(answer.body.trackingId).toMatch(UUID);
		expect(answer.body.errors).toEqual([
			{
				code: '4',
				title: 'Invalid Email Format',
				details: `Invalid email "${INVALID_EMAIL}". The email address must be in the addr-spec format as defined in RFC 5322`,
				info: 'https://docs.crossengage.io/errors#4',
				source: { pointer: '/updated/0/email' },
			},
		]);
		// the document's tracking example, exactly
		expect(await processed(answer.body.trackingId)).toEqual({ stage: 'PROCESSED', total: 2, success: 1, error: 1 });
		expect((await call('GET', '/users/u2')).status).toBe(200);
	});

	test('a batch of 5,000: 400 with error 9 as the document writes it; 1,000 is accepted', async () => {
		const users = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `bulk-${i}`, email: `bulk-${i}@example.com` }));
		const tooMany = await call('POST', '/users/batch', { updated: users(5000) });
		expect(tooMany.status).toBe(400);
		expect(tooMany.body).toEqual({
			errors: [
				{
					code: '9',
					title: 'Max batch request size violation',
					details: 'Max batch request size is 1,000, but was 5,000',
					info: 'https://docs.crossengage.io/errors#9',
					source: { pointer: '/updated' },
				},
			],
		});
		expect(sandbox.users.size).toBe(0);
		const atTheLimit = await call('POST', '/users/batch', { updated: users(1000) });
		expect(atTheLimit.status).toBe(202);
		expect(await processed(atTheLimit.body.trackingId)).toEqual({ stage: 'PROCESSED', total: 1000, success: 1000, error: 0 });
	});

	test("the validation example: an unknown attribute (code 6) and a missing email (code 2), with the document's titles and pointers", async () => {
		// The document's example is of a company that has no "lastName" attribute.
		const attributes: Record<string, string> = { ...DEFAULT_ATTRIBUTES };
		delete attributes.lastName;
		const company = await startActivatePro({ attributes });
		try {
			const res = await fetch(`${company.url}/users`, {
				method: 'PUT',
				headers: { 'Content-Type': 'application/json', 'X-XNG-ApiVersion': '2', 'X-XNG-AuthToken': AP_KEY },
				body: JSON.stringify({ id: PUT_BODY.id, lastName: 'Doe' }),
			});
			expect(res.status).toBe(400);
			const { errors } = (await res.json()) as { errors: Array<{ code: string }> };
			expect([...errors].sort((a, b) => a.code.localeCompare(b.code))).toEqual([
				{ code: '2', title: 'Invalid Field', details: 'Invalid field value, or missing a required field "email"', info: 'https://docs.crossengage.io/errors#2', source: { pointer: '/email' } },
				{ code: '6', title: 'Unknown Attribute', details: 'Attribute "lastName" does not exist', info: 'https://docs.crossengage.io/errors#6', source: { pointer: '/lastName' } },
			]);
			expect(company.users.size).toBe(0);
		} finally {
			await company.close();
		}
	});

	test('wrong or missing credentials: 401, nothing done; invalid JSON: 400 with code 1', async () => {
		expect((await call('PUT', '/users', PUT_BODY, { apiKey: 'YourAPIKey' })).status).toBe(401);
		expect((await call('GET', `/users/${PUT_BODY.id}`, undefined, { apiKey: '' })).status).toBe(401);
		const broken = await call('PUT', '/users', undefined, { raw: '{"id": "31d29083",' });
		expect(broken.status).toBe(400);
		expect(broken.body.errors).toEqual([expect.objectContaining({ code: '1', title: 'Invalid JSON', source: { pointer: '/' } })]);
		expect(sandbox.users.size).toBe(0);
	});

	test('tracking: 404 for an unknown trackingId, and for a known one after 24 hours', async () => {
		expect((await call('GET', '/users/track/2e312089-a987-45c6-adbd-b904bc4dfc97')).status).toBe(404);
		const { trackingId } = (await call('PUT', '/users', PUT_BODY)).body;
		expect(await processed(trackingId)).toMatchObject({ stage: 'PROCESSED' });
		sandbox.clock.advance(DAY_MS - 60_000);
		expect((await call('GET', `/users/track/${trackingId}`)).status).toBe(200);
		sandbox.clock.advance(120_000);
		expect((await call('GET', `/users/track/${trackingId}`)).status).toBe(404);
	});
});

describe('where the sandbox is stricter than the document, its answer says so', () => {
	test('X-XNG-ApiVersion other than 2, an email RFC 5322 allows but the sandbox does not, any business unit outside its format', async () => {
		const v1 = await fetch(`${sandbox.url}/users/${PUT_BODY.id}`, { headers: { 'X-XNG-ApiVersion': '1', 'X-XNG-AuthToken': AP_KEY } });
		expect(v1.status).toBe(400);
		expect(v1.headers.get(STRICTER_HEADER)).toMatch(/only API v2/);

		const dotless = await call('PUT', '/users', { ...PUT_BODY, email: 'john@localhost' });
		expect(dotless.status).toBe(400);
		expect(dotless.body.errors).toEqual([expect.objectContaining({ code: '4', source: { pointer: '/email' } })]);
		expect(dotless.stricter).toMatch(/^email: .*stricter than RFC 5322$/);

		const unit = await call('POST', '/users/batch', { updated: [{ ...PUT_BODY, businessUnit: 'D E' }, BATCH_BODY.updated[0]] });
		expect(unit.status).toBe(400);
		expect(unit.body.errors).toEqual([expect.objectContaining({ code: '8', source: { pointer: '/updated/0/businessUnit' } })]);
		expect(unit.stricter).toMatch(/^businessUnit: the document gives no format/);

		// an address no reader of RFC 5322 would take is the document's own rule: no such header
		expect((await call('PUT', '/users', { ...PUT_BODY, email: INVALID_EMAIL })).stricter).toBeNull();
	});
});
