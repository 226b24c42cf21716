// Jest (reliability): hostile and malformed input (property-based), sandboxes that answer badly, webhooks that lie.
import fc from 'fast-check';

import { callWebhook, runNode } from '../../scripts/engine/engine-runner';
import { AP_KEY, apCredentials, startActivatePro } from '../helpers/activatepro-fixture';
import { apiKeyCredentials, PIT, startEmailApi } from '../helpers/emailapi-fixture';
import { RankrSandbox } from '../../scripts/sandbox/rankr-sandbox';

type AP = Awaited<ReturnType<typeof startActivatePro>>;
type EM = Awaited<ReturnType<typeof startEmailApi>>;
let ap: AP;
let em: EM;
beforeAll(async () => {
	ap = await startActivatePro({ processingDelayMs: 1 });
	em = await startEmailApi();
});
afterAll(async () => {
	await ap.close();
	await em.close();
	// eslint-disable-next-line no-console
	console.log(`Generated inputs tried: ${tried.records} user records, ${tried.ids} ids, ${tried.webhooks} webhook bodies`);
});
beforeEach(() => {
	ap.reset();
	em.reset();
});

const tried = { records: 0, ids: 0, webhooks: 0 };
const SEED = 20261124;

// Strings users really send: unicode, empty, very long, quotes, spaces, path and query characters.
const nasty = fc.oneof(
	fc.string(),
	fc.fullUnicodeString({ maxLength: 40 }),
	fc.constantFrom('', ' ', '..', '.', '../track/x', 'a/b', '?x=1', '#frag', '%2e%2e', 'null', '"quoted"', "o'neil", 'x'.repeat(5000), '\u0000', '😀👍'),
);
const email = fc.oneof(
	fc.emailAddress(),
	fc.emailAddress().map((e) => e.replace('@', '+tag@')),
	fc.constantFrom('ann+news@example.com', '"quoted"@example.com', 'with space@example.com', 'no-at-sign', '@example.com', 'a@b', ''),
	nasty,
);
const attributes = fc.oneof(
	fc.constant(undefined),
	fc.dictionary(fc.constantFrom('firstName', 'lastName', 'plan', 'score', 'country', 'nested', 'id', 'email'), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.object({ maxDepth: 2 }))),
	fc.array(fc.integer(), { maxLength: 3 }),
	fc.string(),
	fc.integer(),
);
const record = fc.record({ id: fc.oneof(nasty, fc.integer().map(String)), email, attributes }, { requiredKeys: [] });

function assertOneOutcomePerItem(items: Array<{ pairedItem?: unknown; json: Record<string, unknown> }>, n: number) {
	expect(items).toHaveLength(n);
	items.forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		if ('error' in item.json) {
			expect(typeof item.json.error).toBe('string');
			expect(String(item.json.error)).toMatch(/item \d+|ActivatePro|Email API|cannot be used/);
		}
	});
}

test('ActivatePro batch: generated records never crash the node; each ends as one clear outcome', async () => {
	await fc.assert(
		fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 60 }), async (records) => {
			tried.records += records.length;
			ap.reset();
			const items = records.map((r) => ({ id: r.id, email: r.email, attrs: r.attributes }));
			const result = await runNode({
				type: 'n8n-nodes-rankr.activateProUser',
				parameters: { operation: 'batch', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributeSource: 'json', attributesJson: '={{ $json.attrs }}' },
				items,
				credentials: apCredentials(ap),
				onError: 'continueRegularOutput',
			});
			expect(result.error).toBeUndefined();
			assertOneOutcomePerItem(result.success as never, items.length);
			// Whatever was sent is one batch request of well-formed entries.
			for (const req of ap.requests()) expect(`${req.method} ${req.rawPath}`).toBe('POST /users/batch');
		}),
		{ numRuns: 25, seed: SEED },
	);
});

test('ActivatePro get/delete: hostile ids never address another endpoint', async () => {
	await fc.assert(
		fc.asyncProperty(fc.array(nasty, { minLength: 1, maxLength: 30 }), async (ids) => {
			tried.ids += ids.length;
			ap.reset();
			for (const operation of ['get', 'delete']) {
				const result = await runNode({
					type: 'n8n-nodes-rankr.activateProUser',
					parameters: { operation, userId: '={{ $json.id }}' },
					items: ids.map((id) => ({ id })),
					credentials: apCredentials(ap),
					onError: 'continueRegularOutput',
				});
				expect(result.error).toBeUndefined();
				assertOneOutcomePerItem(result.success as never, ids.length);
			}
			for (const req of ap.requests()) expect(req.rawPath).toMatch(/^\/users\/[^/?#]+$/);
			expect(ap.tracking.size).toBeLessThanOrEqual(ids.length); // only deletes create tracking
		}),
		{ numRuns: 15, seed: SEED },
	);
});

test('Email API create: generated people never crash the node; bodies are refused or well-formed', async () => {
	await fc.assert(
		fc.asyncProperty(fc.array(fc.record({ email, name: nasty }), { minLength: 1, maxLength: 15 }), async (people) => {
			tried.records += people.length;
			em.reset();
			const result = await runNode({
				type: 'n8n-nodes-rankr.emailApi',
				parameters: { resource: 'user', operation: 'create', email: '={{ $json.email }}', fullName: '={{ $json.name }}', role: 'user' },
				items: people,
				credentials: apiKeyCredentials(em),
				onError: 'continueRegularOutput',
			});
			expect(result.error).toBeUndefined();
			assertOneOutcomePerItem(result.success as never, people.length);
			for (const req of em.requests('POST /users')) {
				const body = JSON.parse(req.rawBody);
				expect(typeof body.email).toBe('string');
				expect(body.firstName.length).toBeGreaterThan(0);
			}
		}),
		{ numRuns: 15, seed: SEED },
	);
});

describe('sandboxes that answer badly: a clear error, never a crash or a hang', () => {
	const cases: Array<[string, Record<string, unknown>]> = [
		['invalid JSON on 200', { kind: 'raw', status: 200, contentType: 'application/json', body: '{"id": "x", ' }],
		['an HTML error page', { kind: 'raw', status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }],
		['an empty body on 200', { kind: 'raw', status: 200, contentType: 'application/json', body: '' }],
		['HTML on 200', { kind: 'raw', status: 200, contentType: 'text/html', body: '<html>login page</html>' }],
	];
	test.each(cases)('ActivatePro get: %s', async (_, fault) => {
		ap.faults.add({ route: 'GET /users/', times: 6, ...fault });
		const r = await runNode({ type: 'n8n-nodes-rankr.activateProUser', parameters: { operation: 'get', userId: 'u1' }, items: [{}], credentials: apCredentials(ap) });
		expect(r.error?.message).toMatch(/ActivatePro (answered|failed)/);
		expect(r.serialized).not.toContain(AP_KEY);
	});
	test.each(cases)('Email API get: %s', async (_, fault) => {
		em.faults.add({ route: 'GET /users/', times: 6, ...fault });
		const r = await runNode({ type: 'n8n-nodes-rankr.emailApi', parameters: { resource: 'user', operation: 'get', userId: 'u1' }, items: [{}], credentials: apiKeyCredentials(em) });
		expect(r.error?.message).toMatch(/Email API (answered|failed|refused)|No Email API user/);
		expect(r.serialized).not.toContain(PIT);
	});
	test('ActivatePro upsert answered 202 without a tracking id', async () => {
		ap.faults.add({ route: 'PUT /users', kind: 'raw', status: 202, contentType: 'application/json', body: '{}' });
		const r = await runNode({ type: 'n8n-nodes-rankr.activateProUser', parameters: { operation: 'upsert', userId: 'u', email: 'u@example.com', attributesJson: '{}' }, items: [{}], credentials: apCredentials(ap) });
		expect(r.error?.message).toBe('ActivatePro answered HTTP 202 while trying to create or update user "u"');
	});
});

// Ed25519 in x-ghl-signature (how Rankr signs since 2026-07-01), and the legacy RSA in x-wh-signature.
const rankrSigner = new RankrSandbox({ hmacSecret: 'hostile-dummy-hmac-secret-1' });
describe.each([
	['Ed25519', 'ed25519', rankrSigner.ed25519PublicKeysPem],
	['legacy RSA', 'rsa', rankrSigner.publicKeyPem],
] as const)('webhooks that lie never start a workflow (%s)', (_, method, publicPem) => {
	const rankr = rankrSigner;
	const credentials = { rankrWebhookApi: { method, publicPem, replayWindowSeconds: 300 } };
	test('generated tampering of a signed body: always 401', async () => {
		await fc.assert(
			fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (position, flip) => {
				tried.webhooks++;
				const raw = Buffer.from(JSON.stringify(rankr.event('UserDelete', { id: 'u', email: 'u@example.com' })));
				const headers = rankr.sign(raw, method);
				const tampered = Buffer.from(raw);
				tampered[position % tampered.length] ^= flip;
				const r = await callWebhook({ parameters: { events: ['*'] }, credentials: credentials as never, headers, rawBody: tampered });
				expect(r.items).toBeUndefined();
				expect(r.response?.status).toBe(401);
			}),
			{ numRuns: 100, seed: SEED },
		);
	});
	test.each([
		['an oversized body', Buffer.alloc(1024 * 1024 + 10, 'a'), 413],
		['a correctly signed empty body (not JSON)', Buffer.alloc(0), 400],
		['a correctly signed JSON array', Buffer.from('[1,2]'), 400],
	])('%s → %i, no run', async (__, body, status) => {
		const r = await callWebhook({ parameters: { events: ['*'] }, credentials: credentials as never, headers: rankr.sign(body, method), rawBody: body });
		expect(r.items).toBeUndefined();
		expect(r.response?.status).toBe(status);
	});
	test('a replayed webhookId inside the window is acknowledged and starts nothing', async () => {
		const event = rankr.event('UserCreate', { id: 'u', email: 'u@example.com' });
		const raw = JSON.stringify(event);
		const first = await callWebhook({ parameters: { events: ['*'] }, credentials: credentials as never, headers: rankr.sign(raw, method), rawBody: raw });
		const again = await callWebhook({ parameters: { events: ['*'] }, credentials: credentials as never, headers: rankr.sign(raw, method), rawBody: raw });
		expect(first.items?.[0].json.webhookId).toBe(event.webhookId);
		expect(again.items).toBeUndefined();
		expect(again.response).toMatchObject({ status: 200, body: { ignored: 'redelivery of an event already received' } });
	});
});
