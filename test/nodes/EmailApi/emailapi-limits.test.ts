// Jest (Email API): bounded waits, writes sent once and masked secrets when the upstream misbehaves.
// Broken upstreams never stall the node, send twice, or make it show a token: waits beyond the node's cap (a
// Retry-After, an announced interval, the daily limit) fail the item at once; a request that is not safe to
// repeat is not repeated after a failure that may have applied it; echoed requests and Base URLs with a user and
// password are masked everywhere.
import { runNode } from '../../../scripts/engine/engine-runner';
import { ALL_SCOPES, apiKeyCredentials, DOCUMENTED_VERSION, expectRequestsMeetDocuments, PIT, startEmailApi } from '../../helpers/emailapi-fixture';
import { sandboxPerFile } from '../../helpers/perFile';

const sandbox = sandboxPerFile(() => startEmailApi(), expectRequestsMeetDocuments);

const NODE = 'n8n-nodes-rankr.emailApi';
const run = (parameters: Record<string, unknown>, items: Array<Record<string, unknown>> = [{}], credentials: Record<string, never> | ReturnType<typeof apiKeyCredentials> = apiKeyCredentials(sandbox)) =>
	runNode({ type: NODE, parameters, items, credentials: credentials as never, onError: 'continueRegularOutput' });
const workflows = { resource: 'workflow', operation: 'getMany', returnAll: true };

async function contact(email: string): Promise<string> {
	const r = await run({ resource: 'contact', operation: 'upsert', email });
	sandbox.clearLog();
	return r.success[0].json.contactId as string;
}

describe('every wait is bounded', () => {
	test('a Retry-After of 100,000 s fails the item at once, naming the header and the wait', async () => {
		sandbox.faults.add({ route: 'GET /workflows', kind: 'status', status: 429, headers: { 'Retry-After': '100000' } });
		const r = await run(workflows, [{}, {}]);
		expect(r.success[0].json.error).toMatch(/^The Email API asks to wait 27\.8 h \(Retry-After: 100000\) before GET \/workflows\/ \(item 1\) — longer than the 60 s the node waits for one request$/);
		expect(r.success.slice(1).map((i) => i.json.name).sort()).toEqual(['Rank Up Announcement', 'Re-engagement', 'Welcome']);
		expect(sandbox.requests('GET /workflows')).toHaveLength(2);
	});

	test('an announced interval of 2,000,000,000 ms is not slept: the next item fails at once, naming the header', async () => {
		const announced = { 'X-RateLimit-Max': '100', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Interval-Milliseconds': '2000000000' };
		sandbox.faults.add({ route: 'GET /workflows', kind: 'status', status: 200, body: { workflows: [] }, headers: announced });
		const r = await run(workflows, [{}, {}]);
		expect(r.success).toHaveLength(1); // item 1: no workflows, no output
		expect(r.success[0].pairedItem).toEqual({ item: 1 });
		expect(String(r.success[0].json.error)).toMatch(/^The Email API asks to wait 23 days \(X-RateLimit-Interval-Milliseconds: 2000000000\) before GET \/workflows\/ \(item 2\) — longer than/);
		expect(String(r.success[0].json.message)).toMatch(/pacing to the announced rate limit/);
		expect(sandbox.requests('GET /workflows')).toHaveLength(1);
	});

	test('a 429 without Retry-After whose interval header asks for 23 days fails at once', async () => {
		sandbox.faults.add({ route: 'GET /workflows', kind: 'status', status: 429, headers: { 'X-RateLimit-Interval-Milliseconds': '2000000000' } });
		const r = await run(workflows);
		expect(String(r.success[0].json.error)).toMatch(/asks to wait 23 days \(X-RateLimit-Interval-Milliseconds: 2000000000\)/);
		expect(sandbox.requests('GET /workflows')).toHaveLength(1);
	});

	test('the daily limit used up by someone else: fails at once, saying when it resets; later items send nothing', async () => {
		sandbox.clock.advance(Date.UTC(2030, 0, 1, 12) - sandbox.clock.now()); // noon: 12 h to the reset
		sandbox.setRateLimit({ daily: 1 });
		try {
			await fetch(`${sandbox.url}/workflows/?locationId=${sandbox.locationId}`, { headers: { authorization: `Bearer ${PIT}`, version: DOCUMENTED_VERSION } });
			sandbox.clearLog();
			const r = await run(workflows, [{}, {}]);
			expect(r.success).toHaveLength(2);
			for (const item of r.success) {
				expect(item.json.error).toBe("The Email API's daily limit of 1 requests for this location is used up (X-RateLimit-Daily-Remaining: 0)");
				expect(String(item.json.message)).toMatch(/^It resets in 12\.0 h \(at \d{4}-\d\d-\d\dT[\d:.]+Z, as the API's Retry-After says\)\. Not waited/);
			}
			expect(sandbox.requests('GET /workflows')).toHaveLength(1);
		} finally {
			sandbox.setRateLimit({ daily: 200000 }); // reset() keeps the limits
		}
	});
});

describe('writes that are not safe to repeat happen at most once', () => {
	test('add to a workflow that allows re-entry, answer lost after enrolling: one email, and the item says it may have happened', async () => {
		const contactId = await contact('re@example.com');
		const digest = sandbox.addWorkflow({ name: 'Weekly Digest', allowReentry: true }).id;
		sandbox.faults.add({ route: 'POST /contacts/', kind: 'dropAfterProcess' });
		const r = await run({ resource: 'contact', operation: 'addToWorkflow', contactId, workflowId: { __rl: true, mode: 'id', value: digest } });
		expect(r.success[0].json.error).toBe(`Adding the contact "${contactId}" to workflow "${digest}" may or may not have happened (ECONNRESET): not sent again`);
		expect(r.success[0].json.message).toMatch(/does not start twice/);
		expect(sandbox.requests('POST /contacts/')).toHaveLength(1);
		expect(sandbox.emailsSent).toHaveLength(1);
	});

	test('the sandbox\'s re-entry workflow does enrol twice when asked twice (what the node must not do by itself)', async () => {
		const contactId = await contact('twice@example.com');
		const digest = sandbox.addWorkflow({ name: 'Weekly Digest', allowReentry: true }).id;
		const add = { resource: 'contact', operation: 'addToWorkflow', contactId, workflowId: { __rl: true, mode: 'id', value: digest } };
		await run(add);
		await run(add);
		expect(sandbox.emailsSent).toHaveLength(2);
	});

	test('add to a workflow: a refused connection and a 429 prove nothing happened, so they are retried', async () => {
		const contactId = await contact('retry@example.com');
		sandbox.faults.add({ route: 'POST /contacts/', kind: 'status', status: 429, headers: { 'Retry-After': '0' } });
		const r = await run({ resource: 'contact', operation: 'addToWorkflow', contactId, workflowId: { __rl: true, mode: 'id', value: sandbox.seededWorkflowIds().welcome } });
		expect(r.success[0].json).toMatchObject({ enrolled: true });
		expect(sandbox.requests('POST /contacts/')).toHaveLength(2);
		expect(sandbox.emailsSent).toHaveLength(1);
	});

	test('course import answered 503: not sent again, the item says it may have happened and where to look', async () => {
		sandbox.faults.add({ route: 'POST /courses/', kind: 'status', status: 503, times: 5 });
		const products = [{ title: 'Onboarding', description: 'Start here', categories: [] }];
		const r = await run({ resource: 'course', operation: 'import', productsJson: JSON.stringify(products) });
		expect(r.success[0].json.error).toBe(`Importing 1 course into location ${sandbox.locationId} may or may not have happened (HTTP 503): not sent again`);
		expect(r.success[0].json.message).toMatch(/Memberships → Courses/);
		expect(sandbox.requests('POST /courses/')).toHaveLength(1);
	});

	test('user create answered 502: looked up first, created once', async () => {
		sandbox.faults.add({ route: 'POST /users', kind: 'status', status: 502 });
		const r = await run({ resource: 'user', operation: 'create', email: 'once@example.com', fullName: 'Once Only', role: 'user' });
		expect(r.success[0].json.email).toBe('once@example.com');
		expect(sandbox.requests().map((q: { method: string; path: string }) => `${q.method} ${q.path}`)).toEqual(['POST /users/', 'GET /users/search', 'POST /users/']);
		expect(sandbox.users.size).toBe(1);
	});
});

describe('secrets never show', () => {
	test('a proxy that echoes the request: the token is masked in errors and in output', async () => {
		sandbox.faults.add({ route: 'GET /users/', kind: 'echo', status: 200 });
		sandbox.faults.add({ route: 'POST /courses/', kind: 'echo', status: 400 });
		const got = await run({ resource: 'user', operation: 'get', userId: 'u-1' });
		expect(got.success[0].json).toMatchObject({ method: 'GET', url: '/users/u-1', headers: { authorization: 'Bearer ***' } });
		const refused = await run({ resource: 'course', operation: 'import', productsJson: '[{"title":"t","description":"d","categories":[]}]' });
		expect(refused.success[0].json.error).toBe('The Email API refused to import the courses (HTTP 400): no reason given');
		for (const r of [got, refused]) expect(r.serialized).not.toContain(PIT);
	});

	test('a token quoted in the API\'s message, in any header casing, is masked', async () => {
		sandbox.faults.add({ route: 'PUT /users/', kind: 'status', status: 422, body: { message: [`Authorization: Bearer ${PIT} is not allowed`], HEADERS: { AUTHORIZATION: PIT } } });
		const r = await run({ resource: 'user', operation: 'update', userId: 'u-2', updateFields: { firstName: 'X' } });
		expect(r.success[0].json.error).toBe('The Email API refused to update the user u-2 (HTTP 422): Authorization: Bearer *** is not allowed');
		expect(r.serialized).not.toContain(PIT);
	});

	test('OAuth2: the access and refresh tokens and the client secret are masked in an echo', async () => {
		const SECRET = 'limits-dummy-client-secret-77bb';
		sandbox.addOAuthClient('limits-client', { clientSecret: SECRET, scopes: ALL_SCOPES });
		const code = sandbox.issueAuthCode('limits-client', ALL_SCOPES);
		const token = (await (
			await fetch(`${sandbox.url}/oauth/token`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ client_id: 'limits-client', client_secret: SECRET, grant_type: 'authorization_code', code }),
			})
		).json()) as { access_token: string; refresh_token: string };
		const credentials = {
			rankrOAuth2Api: {
				grantType: 'authorizationCode', authUrl: `${sandbox.url}/oauth/chooselocation`, accessTokenUrl: `${sandbox.url}/oauth/token`,
				clientId: 'limits-client', clientSecret: SECRET, scope: ALL_SCOPES.join(' '), authentication: 'body',
				baseUrl: sandbox.url!, apiVersion: DOCUMENTED_VERSION, locationId: '', companyId: '', oauthTokenData: token,
			},
		};
		sandbox.faults.add({ route: 'GET /users/', kind: 'echo', status: 400 });
		const r = await run({ resource: 'user', operation: 'get', userId: 'u-3', authentication: 'oAuth2' }, [{}], credentials as never);
		expect(r.success[0].json.error).toMatch(/^The Email API refused to read the user \(HTTP 400\)/);
		for (const secret of [token.access_token, token.refresh_token, SECRET]) expect(r.serialized).not.toContain(secret);
	});

	test('a Base URL with a user and password: shown as ***@host, never its password', async () => {
		const password = 'em-s3cret-pa55';
		const port = new URL(sandbox.url!).port;
		const base = apiKeyCredentials(sandbox).emailApiKeyApi;
		sandbox.faults.add({ route: 'GET /users/', kind: 'echo', status: 200 });
		const echoed = await run({ resource: 'user', operation: 'get', userId: 'u-4' }, [{}], { emailApiKeyApi: { ...base, baseUrl: `http://ada:${password}@127.0.0.1:${port}` } } as never);
		expect(echoed.success[0].json).toMatchObject({ method: 'GET' });
		const unreachable = await run({ resource: 'user', operation: 'get', userId: 'u-4', options: { maxWait: 1 } }, [{}], {
			emailApiKeyApi: { ...base, baseUrl: `http://ada:${password}@127.0.0.1:9` },
		} as never);
		expect(String(unreachable.success[0].json.error)).toMatch(/^Could not reach the Email API at http:\/\/\*\*\*@127\.0\.0\.1:9 \(ECONNREFUSED\) after \d attempts$/);
		for (const r of [echoed, unreachable]) {
			expect(r.serialized).not.toContain(password);
			expect(r.serialized).not.toContain(Buffer.from(`ada:${password}`).toString('base64'));
			expect(r.serialized).not.toContain(PIT);
		}
	});
});
