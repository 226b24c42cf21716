// Jest (Email API): pacing from X-RateLimit-* headers, 429 handling, and OAuth2 with an expired access token.
import { runNode } from '../../../scripts/engine/engine-runner';
import { ALL_SCOPES, apiKeyCredentials, DOCUMENTED_VERSION, expectRequestsMeetDocuments, startEmailApi } from '../../helpers/emailapi-fixture';
import { sandboxPerFile } from '../../helpers/perFile';

const sandbox = sandboxPerFile(() => startEmailApi(), expectRequestsMeetDocuments);

const NODE = 'n8n-nodes-rankr.emailApi';
const people = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `p${i}@example.com`, name: `Person Number${i}` }));
const create = { resource: 'user', operation: 'create', email: '={{ $json.email }}', fullName: '={{ $json.name }}', role: 'user' };

test('120 creates under a limit of 25 per second pace themselves: no 429 at all', async () => {
	sandbox.setRateLimit({ max: 25, intervalMs: 1000 });
	const r = await runNode({ type: NODE, parameters: create, items: people(120), credentials: apiKeyCredentials(sandbox) });
	expect(r.error).toBeUndefined();
	expect(r.success).toHaveLength(120);
	expect(sandbox.stats.rateLimited).toBe(0);
	expect(sandbox.users.size).toBe(120);
});

test('a 429 is waited out as Retry-After says, then the request goes through once', async () => {
	sandbox.faults.add({ route: 'GET /workflows', kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: { statusCode: 429, message: 'Too many requests' } });
	const r = await runNode({ type: NODE, parameters: { resource: 'workflow', operation: 'getMany', returnAll: true }, items: [{}], credentials: apiKeyCredentials(sandbox) });
	expect(r.error).toBeUndefined();
	expect(sandbox.requests('GET /workflows')).toHaveLength(2);
});

describe('Rankr OAuth2', () => {
	const CLIENT = 'rankr-client';
	const SECRET = 'rankr-dummy-client-secret-55aa';

	async function connectedCredential(scopes = ALL_SCOPES) {
		sandbox.addOAuthClient(CLIENT, { clientSecret: SECRET, scopes });
		const code = sandbox.issueAuthCode(CLIENT, scopes);
		const response = await fetch(`${sandbox.url}/oauth/token`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ client_id: CLIENT, client_secret: SECRET, grant_type: 'authorization_code', code }),
		});
		const token = (await response.json()) as { access_token: string; refresh_token: string; locationId: string; companyId: string };
		return {
			token,
			credentials: {
				rankrOAuth2Api: {
					grantType: 'authorizationCode',
					authUrl: `${sandbox.url}/oauth/chooselocation`,
					accessTokenUrl: `${sandbox.url}/oauth/token`,
					clientId: CLIENT,
					clientSecret: SECRET,
					scope: ALL_SCOPES.join(' '),
					authentication: 'body',
					baseUrl: sandbox.url!,
					apiVersion: DOCUMENTED_VERSION,
					locationId: '',
					companyId: '',
					oauthTokenData: token,
				},
			},
		};
	}

	test('the location and company come from the token; an expired access token is refreshed and the call goes through', async () => {
		const { token, credentials } = await connectedCredential();
		sandbox.expireToken(token.access_token);
		sandbox.clearLog();
		const r = await runNode({
			type: NODE,
			parameters: { ...create, authentication: 'oAuth2' },
			items: [{ email: 'oauth@example.com', name: 'Oauth User' }],
			credentials,
		});
		expect(r.error).toBeUndefined();
		expect(r.success[0].json).toMatchObject({ email: 'oauth@example.com' });
		const calls = sandbox.requests().map((q: { method: string; path: string; status?: number }) => `${q.method} ${q.path} ${q.status}`);
		// the 401 comes back as an answer; sent again with statuses thrown, n8n refreshes the token and repeats
		expect(calls).toEqual(['POST /users/ 401', 'POST /users/ 401', 'POST /oauth/token 200', 'POST /users/ 201']);
		const body = JSON.parse(sandbox.requests('POST /users/')[2].rawBody);
		expect(body).toMatchObject({ companyId: token.companyId, locationIds: [token.locationId] });
		expect(r.serialized).not.toContain(token.refresh_token);
		expect(r.serialized).not.toContain(SECRET);
	});

	test('a token without users.write cannot create, and the message names the scope', async () => {
		const { credentials } = await connectedCredential(['users.readonly']);
		const r = await runNode({ type: NODE, parameters: { ...create, authentication: 'oAuth2' }, items: [{ email: 'o@example.com', name: 'O P' }], credentials });
		expect(r.error?.message).toMatch(/missing the "users.write" scope/);
	});
});
