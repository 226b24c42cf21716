// Jest (Rankr Trigger): the built node's webhook() through n8n-core's WebhookContext (the engine runner), with events
// signed by the Rankr sandbox, and its credential test and activation. The modules alone: test/unit/rankr-*.test.ts.
import { generateKeyPairSync } from 'node:crypto';

import { callWebhook } from '../../../scripts/engine/engine-runner';
import { RankrSandbox } from '../../../scripts/sandbox/rankr-sandbox';
import { activate, credentialTest as test_ } from '../../helpers/rankr-trigger-methods';

/** The built trigger's memory of webhookIds: the module the engine runner's built package uses (one per process). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { recentDeliveries } = require('../../../dist/nodes/RankrTrigger/redeliveries') as { recentDeliveries: { size: number } };

const rankr = new RankrSandbox({ hmacSecret: 'hmac-dummy-secret-for-tests-0001' });
/** Both of the sandbox's Ed25519 keys, PEM blocks one after another (an account mid-rotation). */
const ed25519Credentials = { rankrWebhookApi: { method: 'ed25519', publicPem: rankr.ed25519PublicKeysPem } };
const rsaCredentials = { rankrWebhookApi: { method: 'rsa', publicPem: rankr.publicKeyPem } };
const hmacCredentials = { rankrWebhookApi: { method: 'hmac', secret: rankr.hmacSecret } };
const user = { id: 'usr_1', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' };
const otherEd25519Pem = () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
/** Nothing a refusal says may name the header it wanted or missed. */
const NAMES_A_HEADER = /x-(ghl|wh|rankr)-signature|header/i;

type DeliverOptions = {
	method?: 'ed25519' | 'rsa' | 'hmac' | 'none';
	/** Which of the sandbox's two Ed25519 keys signs (0 unless given). */
	keyIndex?: number;
	credentials?: object;
	parameters?: object;
	tamper?: (raw: string) => string;
	headers?: Record<string, string>;
	mode?: 'webhook' | 'manual';
	workflowId?: string;
	handOver?: 'taken' | 'fails' | 'held';
};

function deliver(event: object, options: DeliverOptions = {}) {
	const raw = JSON.stringify(event);
	const method = options.method ?? 'ed25519';
	const headers = { 'content-type': 'application/json', ...rankr.sign(raw, method, { keyIndex: options.keyIndex ?? 0 }), ...(options.headers ?? {}) };
	const credentials = options.credentials ?? (method === 'hmac' ? hmacCredentials : method === 'rsa' ? rsaCredentials : ed25519Credentials);
	return callWebhook({
		parameters: { events: ['*'], ...(options.parameters ?? {}) },
		credentials: credentials as never,
		headers,
		rawBody: options.tamper ? options.tamper(raw) : raw,
		mode: options.mode,
		workflowId: options.workflowId,
		handOver: options.handOver,
	});
}

/** A raw body signed with the first Ed25519 key, as is (for bodies JSON.stringify would not make). */
function callWebhookRaw(raw: string) {
	return callWebhook({ parameters: { events: ['*'] }, credentials: ed25519Credentials as never, headers: { 'content-type': 'application/json', ...rankr.sign(raw) }, rawBody: raw });
}

describe('signatures', () => {
	test('a signed signup starts the workflow with normalised fields', async () => {
		const event = rankr.event('UserCreate', { ...user, rank: 3 });
		const r = await deliver(event);
		expect(r.response).toEqual({ status: 200, body: { received: true, webhookId: event.webhookId } });
		expect(r.items).toHaveLength(1);
		expect(r.items![0].json).toMatchObject({
			type: 'UserCreate',
			event: 'UserCreate',
			userId: 'usr_1',
			email: 'ada@example.com',
			fullName: 'Ada Lovelace',
			rank: 3,
			previousRank: null,
			webhookId: event.webhookId,
		});
		expect(Date.parse(r.items![0].json.receivedAt as string)).not.toBeNaN();
	});

	test('a delivery signed with the second key of a rotation starts the workflow', async () => {
		const event = rankr.event('UserCreate', user);
		const r = await deliver(event, { keyIndex: 1 });
		expect(r.response).toEqual({ status: 200, body: { received: true, webhookId: event.webhookId } });
		expect(r.items).toHaveLength(1);
	});

	test.each([
		['tampered body', { tamper: (raw: string) => raw.replace('ada@example.com', 'eve@example.com') }],
		['missing signature', { headers: { 'x-ghl-signature': '' } }],
		['truncated signature', { headers: { 'x-ghl-signature': 'YWJj' } }],
		['a signature longer than 88 characters', { headers: { 'x-ghl-signature': `${rankr.sign('{}')['x-ghl-signature']}AAAA` } }],
		['forged: signed with a key the credential does not hold', { credentials: { rankrWebhookApi: { method: 'ed25519', publicPem: otherEd25519Pem() } } }],
		['the second key alone, signed with the first', { credentials: { rankrWebhookApi: { method: 'ed25519', publicPem: rankr.ed25519PublicKeyRaw(1) } } }],
		['HMAC signature where Ed25519 is expected', { method: 'hmac' as const, credentials: ed25519Credentials }],
		['legacy RSA signature where Ed25519 is expected', { method: 'rsa' as const, credentials: ed25519Credentials }],
	])('%s → 401 and no execution', async (_, options) => {
		const r = await deliver(rankr.event('UserDelete', user), options);
		expect(r.response).toEqual({ status: 401, body: { error: 'invalid signature' } });
		expect(r.items).toBeUndefined();
	});

	test('an Ed25519 signature in the wrong header (x-wh-signature) → 401, and nothing names a header', async () => {
		const event = rankr.event('UserCreate', user);
		const raw = JSON.stringify(event);
		const signature = rankr.sign(raw)['x-ghl-signature'];
		const r = await callWebhook({ parameters: { events: ['*'] }, credentials: ed25519Credentials as never, headers: { 'content-type': 'application/json', 'x-wh-signature': signature }, rawBody: raw });
		expect(r.response).toEqual({ status: 401, body: { error: 'invalid signature' } });
		expect(r.items).toBeUndefined();
		expect(JSON.stringify(r.response)).not.toMatch(NAMES_A_HEADER);
		const refusals = r.logs.filter((l) => l.level === 'warn');
		expect(refusals.map((l) => l.message)).toEqual([expect.stringMatching(/^\[Rankr Trigger\] refused a delivery \(401\): missing or invalid signature/)]);
		expect(r.logs.map((l) => l.message).join('\n')).not.toMatch(NAMES_A_HEADER);
		// …and an unsigned delivery gets the very same answer.
		const unsigned = await callWebhook({ parameters: { events: ['*'] }, credentials: ed25519Credentials as never, headers: { 'content-type': 'application/json' }, rawBody: raw });
		expect(unsigned.response).toEqual(r.response);
		expect(unsigned.logs.map((l) => l.message).join('\n')).not.toMatch(NAMES_A_HEADER);
	});

	test.each([
		['raw base64', (i: number) => rankr.ed25519PublicKeyRaw(i, 'base64')],
		['raw hex', (i: number) => rankr.ed25519PublicKeyRaw(i, 'hex')],
		['PEM and raw mixed, with blank lines and CRLF', (i: number) => (i === 0 ? rankr.ed25519PublicKeysPem.split('-----END PUBLIC KEY-----')[0] + '-----END PUBLIC KEY-----\r\n' : `\r\n  ${rankr.ed25519PublicKeyRaw(1, 'hex')}  \r\n`)],
	])('keys given as %s: both keys verify', async (_, keyText) => {
		const credentials = { rankrWebhookApi: { method: 'ed25519', publicPem: `${keyText(0)}\n${keyText(1)}` } };
		for (const keyIndex of [0, 1]) expect((await deliver(rankr.event('UserCreate', user), { credentials, keyIndex })).items).toHaveLength(1);
		expect((await deliver(rankr.event('UserCreate', user), { credentials, tamper: (raw) => raw.replace('Ada', 'Eve') })).response?.status).toBe(401);
	});

	test('legacy RSA (x-wh-signature): valid passes; tampered, forged and Ed25519-signed are 401', async () => {
		const event = rankr.event('UserDelete', user);
		expect((await deliver(event, { method: 'rsa' })).items).toHaveLength(1);
		expect((await deliver(event, { method: 'rsa', tamper: (raw) => raw.replace('ada', 'eve') })).response?.status).toBe(401);
		const forged = { rankrWebhookApi: { method: 'rsa', publicPem: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString() } };
		expect((await deliver(event, { method: 'rsa', credentials: forged })).response).toEqual({ status: 401, body: { error: 'invalid signature' } });
		expect((await deliver(event, { method: 'ed25519', credentials: rsaCredentials })).response?.status).toBe(401);
	});

	test('a credential saved for RSA before Ed25519 (method now reads as the default) keeps verifying x-wh-signature', async () => {
		// n8n fills the unstored method with the current default: what the node gets for such a credential.
		const saved = { rankrWebhookApi: { method: 'ed25519', publicPem: rankr.publicKeyPem } };
		const event = rankr.event('UserCreate', user);
		expect((await deliver(event, { method: 'rsa', credentials: saved })).items).toHaveLength(1);
		const refused = await deliver(rankr.event('UserCreate', user), { method: 'ed25519', credentials: saved });
		expect(refused.response).toEqual({ status: 401, body: { error: 'invalid signature' } });
		expect(refused.logs.find((l) => l.level === 'warn')?.message).toMatch(/only a legacy RSA key, see its credential test/);
		const noMethod = { rankrWebhookApi: { publicPem: rankr.publicKeyPem } };
		expect((await deliver(rankr.event('UserCreate', user), { method: 'rsa', credentials: noMethod })).items).toHaveLength(1);
	});

	test('HMAC: valid passes; wrong secret, bad format and tampering are 401', async () => {
		const event = rankr.event('UserDelete', user);
		expect((await deliver(event, { method: 'hmac' })).items).toHaveLength(1);
		const wrong = { rankrWebhookApi: { method: 'hmac', secret: 'another-secret' } };
		expect((await deliver(event, { method: 'hmac', credentials: wrong })).response?.status).toBe(401);
		expect((await deliver(event, { method: 'hmac', headers: { 'x-rankr-signature': 'sha256=zz' } })).response?.status).toBe(401);
		expect((await deliver(event, { method: 'hmac', headers: { 'x-rankr-signature': 'md5=abc' } })).response?.status).toBe(401);
		expect((await deliver(event, { method: 'hmac', tamper: (raw) => raw + ' ' })).response?.status).toBe(401);
	});

	test('verification "none" accepts unsigned events', async () => {
		const r = await deliver(rankr.event('UserCreate', user), { method: 'none', credentials: { rankrWebhookApi: { method: 'none' } } });
		expect(r.items).toHaveLength(1);
	});

	test('a signed body that is not JSON is refused and starts nothing', async () => {
		const raw = 'not json at all';
		const r = await callWebhook({ parameters: { events: ['*'] }, credentials: ed25519Credentials as never, headers: rankr.sign(raw), rawBody: raw });
		expect(r.response?.status).toBe(400);
		expect(r.items).toBeUndefined();
	});
});

describe('ids', () => {
	test('a 300-character webhookId → 400, and it is not remembered', async () => {
		const event = { ...rankr.event('UserCreate', user), webhookId: `wh_${'x'.repeat(297)}` };
		const before = recentDeliveries.size;
		const r = await deliver(event);
		expect(r.response).toEqual({ status: 400, body: { error: 'webhookId is longer than 256 characters' } });
		expect(r.items).toBeUndefined();
		expect(recentDeliveries.size).toBe(before);
		expect(r.logs.find((l) => l.level === 'warn')?.message).toMatch(/\(400\): its webhookId is 300 characters/);
		// 256 is still a webhookId.
		const longest = { ...rankr.event('UserCreate', user), webhookId: `wh_${'y'.repeat(253)}` };
		expect((await deliver(longest)).items).toHaveLength(1);
		expect(recentDeliveries.size).toBe(before + 1); // remembered in the very memory read above
	});

	test.each([
		['id', 'u'.repeat(257)],
		['type', 'UserCreate'.repeat(7)],
	])('an overlong %s → 400, no run', async (field, value) => {
		const before = recentDeliveries.size;
		const r = await deliver({ ...rankr.event('UserCreate', user), [field]: value });
		expect(r.response?.status).toBe(400);
		expect(r.items).toBeUndefined();
		expect(recentDeliveries.size).toBe(before);
	});
});

describe('replay window (Rankr retries only after a 429, for up to ~70 minutes, with the original timestamp)', () => {
	const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60 * 1000).toISOString();

	test.each([10, 30, 65, 85])('with the default credential, a delivery retried %i minutes after its event runs', async (minutes) => {
		const event = { ...rankr.event('UserCreate', user), timestamp: minutesAgo(minutes) };
		const r = await deliver(event);
		expect(r.items).toHaveLength(1);
		expect(r.response).toEqual({ status: 200, body: { received: true, webhookId: event.webhookId } });
		// and a second copy of it does not run
		expect((await deliver(event)).items).toBeUndefined();
	});

	test('a timestamp beyond the window (or in the future) is acknowledged with 200, starts nothing, and is logged at warn', async () => {
		const stale = { ...rankr.event('UserCreate', user), timestamp: minutesAgo(95) };
		const future = { ...rankr.event('UserCreate', user), timestamp: minutesAgo(-95) };
		for (const event of [stale, future]) {
			const r = await deliver(event);
			expect(r.response).toEqual({ status: 200, body: { received: true, ignored: 'timestamp outside the replay window', webhookId: event.webhookId } });
			expect(r.items).toBeUndefined();
			const warnings = r.logs.filter((l) => l.level === 'warn');
			expect(warnings).toHaveLength(1);
			expect(warnings[0].message).toContain(`UserCreate ${event.webhookId}`);
			expect(warnings[0].meta).toMatchObject({ webhookId: event.webhookId, eventType: 'UserCreate' });
		}
		const staleLine = (await deliver({ ...stale, webhookId: `${stale.webhookId}-2` })).logs.find((l) => l.level === 'warn')?.message;
		expect(staleLine).toMatch(/timestamp is 57\d\d s old, outside the 5400 s replay window, later than Rankr retries/);
	});

	test('a window shorter than Rankr retries says so when it drops a retry, and at activation', async () => {
		const event = { ...rankr.event('UserCreate', user), timestamp: minutesAgo(20) };
		const short = { rankrWebhookApi: { method: 'ed25519', publicPem: rankr.ed25519PublicKeysPem, replayWindowSeconds: 300 } };
		const r = await deliver(event, { credentials: short });
		expect(r.items).toBeUndefined();
		expect(r.response?.body).toMatchObject({ ignored: 'timestamp outside the replay window' });
		expect(r.logs.find((l) => l.level === 'warn')?.message).toMatch(
			/outside the 300 s replay window: Rankr retries up to about 75 minutes after the event .* raise the Replay Window in the Rankr webhook credential to at least 4500/,
		);
	});

	test('the window comes from the credential', async () => {
		const event = { ...rankr.event('UserCreate', user), timestamp: new Date(Date.now() - 20 * 1000).toISOString() };
		const tight = { rankrWebhookApi: { method: 'ed25519', publicPem: rankr.ed25519PublicKeysPem, replayWindowSeconds: 10 } };
		const r = await deliver(event, { credentials: tight });
		expect(r.items).toBeUndefined();
		expect(r.response?.body).toMatchObject({ ignored: 'timestamp outside the replay window' });
	});
});

describe('a body Rankr would not send', () => {
	test.each([
		['no webhookId', (e: Record<string, unknown>) => ({ ...e, webhookId: undefined })],
		['an empty webhookId', (e: Record<string, unknown>) => ({ ...e, webhookId: '  ' })],
		['a webhookId that is not a string', (e: Record<string, unknown>) => ({ ...e, webhookId: 12345 })],
	])('%s → 400, no run, however often it is sent', async (_, change) => {
		const event = change(rankr.event('UserCreate', user) as Record<string, unknown>);
		for (let i = 0; i < 2; i++) {
			const r = await deliver(event);
			expect(r.response).toEqual({ status: 400, body: { error: 'webhookId is missing' } });
			expect(r.items).toBeUndefined();
		}
	});

	test('a signed body nested 5,000 levels deep → 400 before it is parsed; 30 levels are accepted', async () => {
		const nest = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
		const deep = `{"type":"UserCreate","timestamp":"${new Date().toISOString()}","webhookId":"wh_deep","id":"u","payload":${'['.repeat(5000)}${']'.repeat(5000)}}`;
		const r = await callWebhookRaw(deep);
		expect(r.response).toEqual({ status: 400, body: { error: 'body nests deeper than 32 levels' } });
		expect(r.items).toBeUndefined();
		expect((await deliver({ ...rankr.event('UserCreate', user), permissions: nest(30) })).items).toHaveLength(1);
		// brackets inside strings are text, not nesting
		expect((await deliver({ ...rankr.event('UserCreate', user), lastName: '['.repeat(100) })).items).toHaveLength(1);
	});
});

describe('the answer comes from n8n once it holds the run; a delivery it did not take is run on retry', () => {
	test('n8n could not start the run (it answers 500): the webhookId is not remembered, so the retry runs once', async () => {
		const event = rankr.event('UserCreate', user);
		const failed = await deliver(event, { handOver: 'fails' });
		expect(failed.items).toHaveLength(1); // handed over, but n8n failed to save or queue it
		expect(failed.response?.status).toBe(500);
		const retry = await deliver(event);
		expect(retry.items).toHaveLength(1);
		expect(retry.response).toEqual({ status: 200, body: { received: true, webhookId: event.webhookId } });
		expect((await deliver(event)).items).toBeUndefined();
	});

	test('the sender went away before n8n answered (a proxy time-out): what n8n then answers decides whether the retry runs', async () => {
		for (const outcome of ['taken', 'fails'] as const) {
			const event = rankr.event('UserCreate', user);
			const first = await deliver(event, { handOver: 'held' });
			first.drop!(); // the proxy gave up and told Rankr 429
			expect((await deliver(event)).response?.status).toBe(429); // still in n8n's hands: come back later
			first.release!(outcome); // n8n finishes the hand-over, answering nobody
			const retry = await deliver(event);
			expect(retry.items?.length ?? 0).toBe(outcome === 'taken' ? 0 : 1);
		}
	});

	test('a copy arriving while the first is being handed over gets 429 with Retry-After, and runs later only if the first failed', async () => {
		for (const outcome of ['fails', 'taken'] as const) {
			const event = rankr.event('UserCreate', user);
			const first = await deliver(event, { handOver: 'held' });
			expect(first.response).toBeUndefined(); // n8n has not answered yet
			const copy = await deliver(event);
			expect(copy.items).toBeUndefined();
			expect(copy.response).toEqual({ status: 429, headers: { 'retry-after': '60' }, body: expect.objectContaining({ webhookId: event.webhookId }) });
			first.release!(outcome);
			expect((await deliver(event)).items?.length ?? 0).toBe(outcome === 'fails' ? 1 : 0);
		}
	});

	test('when the credential cannot be read (n8n busy), the delivery is answered 429 so Rankr retries it', async () => {
		const r = await deliver(rankr.event('UserCreate', user), { credentials: {} });
		expect(r.response).toEqual({ status: 429, headers: { 'retry-after': '60' }, body: { error: 'temporarily unavailable, retry later' } });
		expect(r.items).toBeUndefined();
	});
});

describe('redeliveries (same webhookId)', () => {
	test('a redelivery is acknowledged again and starts nothing', async () => {
		const event = rankr.event('UserCreate', user);
		expect((await deliver(event)).items).toHaveLength(1);
		const again = await deliver(event);
		expect(again.items).toBeUndefined();
		expect(again.response).toEqual({ status: 200, body: { received: true, ignored: 'redelivery of an event already received', webhookId: event.webhookId } });
	});

	test('twenty copies arriving together start exactly one run', async () => {
		const event = rankr.event('UserDelete', user);
		const results = await Promise.all(Array.from({ length: 20 }, () => deliver(event)));
		expect(results.filter((r) => r.items !== undefined)).toHaveLength(1);
		// The others: "already received" once the first was taken, 429 (come back later) while it was in flight.
		for (const r of results.filter((r) => r.items === undefined)) {
			expect([200, 429]).toContain(r.response?.status);
			if (r.response?.status === 200) expect(r.response.body).toMatchObject({ ignored: 'redelivery of an event already received' });
		}
	});

	test('a delivery that failed verification does not block the genuine one', async () => {
		const event = rankr.event('UserCreate', user);
		expect((await deliver(event, { tamper: (raw) => raw.replace('Ada', 'Eve') })).response?.status).toBe(401);
		expect((await deliver(event)).items).toHaveLength(1);
	});

	test('the same event may start each workflow that listens for it once', async () => {
		const event = rankr.event('UserCreate', user);
		expect((await deliver(event, { workflowId: 'signup' })).items).toHaveLength(1);
		expect((await deliver(event, { workflowId: 'dashboard' })).items).toHaveLength(1);
		expect((await deliver(event, { workflowId: 'dashboard' })).items).toBeUndefined();
	});

	test('test events in the editor are not de-duplicated, so a sample can be sent again', async () => {
		const event = rankr.event('UserCreate', user);
		expect((await deliver(event, { mode: 'manual' })).items).toHaveLength(1);
		expect((await deliver(event, { mode: 'manual' })).items).toHaveLength(1);
	});
});

describe('filters', () => {
	test('only the selected events start the workflow', async () => {
		const params = { events: ['UserCreate', 'UserDelete'] };
		expect((await deliver(rankr.event('UserDelete', user), { parameters: params })).items).toHaveLength(1);
		const skipped = await deliver(rankr.event('UserInactive', user), { parameters: params });
		expect(skipped.items).toBeUndefined();
		expect(skipped.response).toEqual({ status: 200, body: expect.objectContaining({ ignored: 'event UserInactive is not selected' }) });
	});

	test.each([
		['enteredTopN', 12, 9, true],
		['enteredTopN', 9, 3, false],
		['leftTopN', 8, 15, true],
		['leftTopN', 20, 25, false],
		['improved', 14, 9, true],
		['improved', 9, 14, false],
		['worsened', 9, 14, true],
	])('rank filter %s with %i → %i starts the workflow: %s', async (rankFilter, previousRank, rank, starts) => {
		const r = await deliver(rankr.event('UserRankUpdate', user, { previousRank, rank }), { parameters: { events: ['UserRankUpdate'], rankFilter, topN: 10 } });
		expect(r.items !== undefined).toBe(starts);
		if (starts) expect(r.items![0].json).toMatchObject({ rank, previousRank });
	});

	test('minimum inactive days', async () => {
		const params = { events: ['UserInactive'], inactiveDays: 14 };
		expect((await deliver(rankr.event('UserInactive', user, { inactiveDays: 30 }), { parameters: params })).items![0].json.inactiveDays).toBe(30);
		expect((await deliver(rankr.event('UserInactive', user, { inactiveDays: 7 }), { parameters: params })).items).toBeUndefined();
	});
});

describe('credential test and activation', () => {
	const ed = (publicPem: string) => ({ method: 'ed25519', publicPem });

	test('usable keys pass, saying how many', async () => {
		await expect(test_(ed(rankr.ed25519PublicKeysPem))).resolves.toEqual({ status: 'OK', message: '2 Ed25519 public keys are usable: a delivery signed with any of them is accepted' });
		await expect(test_(ed(rankr.ed25519PublicKeyRaw(0, 'hex')))).resolves.toEqual({ status: 'OK', message: 'The Ed25519 public key is usable' });
		await expect(activate(ed(rankr.ed25519PublicKeysPem))).resolves.toEqual([]);
		await expect(test_({ method: 'rsa', publicPem: rankr.publicKeyPem })).resolves.toMatchObject({ status: 'OK' });
	});

	test.each([
		['an empty field', '', /^No public key/],
		['a broken second key', `${rankr.ed25519PublicKeyRaw(0)}\nnot a key`, /^Key 2 of 2 is a line of 9 characters that is neither base64 nor hex/],
		['a second key of the wrong length', `${rankr.ed25519PublicKeyRaw(0)}\n${'ab'.repeat(31)}`, /^Key 2 of 2 decodes to 4\d bytes: expected a PEM block .* or a raw 32-byte Ed25519 key/],
		['an RSA key beside an Ed25519 key', `${rankr.ed25519PublicKeysPem}${rankr.publicKeyPem}`, /^Key 3 of 3 is an RSA key, not Ed25519/],
		['a private key', generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /^Key 1 of 1 is a private key/],
		['a PEM block cut short', rankr.ed25519PublicKeysPem.slice(0, 150), /^Key 2 of 2 is a PEM block without its "-----END PUBLIC KEY-----" line/],
		['a field over 16,384 characters', `${rankr.ed25519PublicKeysPem}\n${' '.repeat(16_400)}`, /holds 16\d{3} characters, more than the 16384/],
	])('%s is reported at the test and fails activation, naming the key', async (_, text, message) => {
		await expect(test_(ed(text))).resolves.toEqual({ status: 'Error', message: expect.stringMatching(message) });
		await expect(activate(ed(text))).rejects.toThrow(/^The Rankr webhook credential cannot verify deliveries: /);
		await expect(activate(ed(text))).rejects.toThrow(message.source.startsWith('^') ? new RegExp(message.source.slice(1)) : message);
	});

	test('a credential saved for RSA reads as Ed25519 with an RSA key: the test says what to do, activation works and warns', async () => {
		const saved = ed(rankr.publicKeyPem);
		await expect(test_(saved)).resolves.toEqual({ status: 'Error', message: expect.stringMatching(/holds an RSA public key, saved before Rankr signed with Ed25519\. It still verifies .* since 2026-07-01 Rankr signs deliveries only with Ed25519/) });
		const warnings = await activate(saved);
		expect(warnings).toEqual([expect.stringMatching(/^\[Rankr Trigger\] activated with a legacy RSA key: .*Paste Rankr's Ed25519 public key/)]);
	});

	test('other settings', async () => {
		await expect(test_({ method: 'rsa', publicPem: 'not a key' })).resolves.toMatchObject({ status: 'Error', message: expect.stringMatching(/not a PEM public key/) });
		await expect(test_({ method: 'hmac', secret: '' })).resolves.toEqual({ status: 'Error', message: 'The shared secret is empty' });
		await expect(test_({ method: 'hmac', secret: 's3cret' })).resolves.toEqual({ status: 'OK', message: 'The shared secret is set' });
		await expect(test_({ ...ed(rankr.ed25519PublicKeysPem), replayWindowSeconds: 0 })).resolves.toEqual({ status: 'Error', message: 'The replay window must be at least 1 second' });
	});
});
