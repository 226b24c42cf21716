// The Rankr Trigger's webhook() through n8n-core's WebhookContext, with events signed by the Rankr sandbox.
import { generateKeyPairSync } from 'node:crypto';

import { callWebhook } from '../../engine';
import { RankrSandbox } from '../../sandbox/rankr';

const rankr = new RankrSandbox({ hmacSecret: 'hmac-dummy-secret-for-tests-0001' });
const rsaCredentials = { rankrWebhookApi: { method: 'rsa', publicPem: rankr.publicKeyPem, replayWindowSeconds: 300 } };
const hmacCredentials = { rankrWebhookApi: { method: 'hmac', secret: rankr.hmacSecret, replayWindowSeconds: 300 } };
const user = { id: 'usr_1', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' };

type DeliverOptions = {
	method?: 'rsa' | 'hmac' | 'none';
	credentials?: object;
	parameters?: object;
	tamper?: (raw: string) => string;
	headers?: Record<string, string>;
	mode?: 'webhook' | 'manual';
	workflowId?: string;
};

function deliver(event: object, options: DeliverOptions = {}) {
	const raw = JSON.stringify(event);
	const headers = { 'content-type': 'application/json', ...rankr.sign(raw, options.method ?? 'rsa'), ...(options.headers ?? {}) };
	return callWebhook({
		parameters: { events: ['*'], ...(options.parameters ?? {}) },
		credentials: (options.credentials ?? (options.method === 'hmac' ? hmacCredentials : rsaCredentials)) as never,
		headers,
		rawBody: options.tamper ? options.tamper(raw) : raw,
		mode: options.mode,
		workflowId: options.workflowId,
	});
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

	test.each([
		['tampered body', { tamper: (raw: string) => raw.replace('ada@example.com', 'eve@example.com') }],
		['missing signature', { headers: { 'x-wh-signature': '' } }],
		['truncated signature', { headers: { 'x-wh-signature': 'YWJj' } }],
		['signed with another key', { credentials: { rankrWebhookApi: { method: 'rsa', publicPem: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString(), replayWindowSeconds: 300 } } }],
		['HMAC signature where RSA is expected', { method: 'hmac' as const, credentials: rsaCredentials }],
	])('%s → 401 and no execution', async (_, options) => {
		const r = await deliver(rankr.event('UserDelete', user), options);
		expect(r.response?.status).toBe(401);
		expect(r.items).toBeUndefined();
	});

	test('HMAC: valid passes; wrong secret, bad format and tampering are 401', async () => {
		const event = rankr.event('UserDelete', user);
		expect((await deliver(event, { method: 'hmac' })).items).toHaveLength(1);
		const wrong = { rankrWebhookApi: { method: 'hmac', secret: 'another-secret', replayWindowSeconds: 300 } };
		expect((await deliver(event, { method: 'hmac', credentials: wrong })).response?.status).toBe(401);
		expect((await deliver(event, { method: 'hmac', headers: { 'x-rankr-signature': 'sha256=zz' } })).response?.status).toBe(401);
		expect((await deliver(event, { method: 'hmac', headers: { 'x-rankr-signature': 'md5=abc' } })).response?.status).toBe(401);
		expect((await deliver(event, { method: 'hmac', tamper: (raw) => raw + ' ' })).response?.status).toBe(401);
	});

	test('verification "none" accepts unsigned events', async () => {
		const r = await deliver(rankr.event('UserCreate', user), { method: 'none', credentials: { rankrWebhookApi: { method: 'none', replayWindowSeconds: 300 } } });
		expect(r.items).toHaveLength(1);
	});

	test('a signed body that is not JSON is refused and starts nothing', async () => {
		const raw = 'not json at all';
		const r = await callWebhook({ parameters: { events: ['*'] }, credentials: rsaCredentials as never, headers: rankr.sign(raw, 'rsa'), rawBody: raw });
		expect(r.response?.status).toBe(400);
		expect(r.items).toBeUndefined();
	});
});

describe('replay window', () => {
	test('a stale or future timestamp is acknowledged with 200 and starts nothing', async () => {
		const stale = { ...rankr.event('UserCreate', user), timestamp: new Date(Date.now() - 6 * 60 * 1000).toISOString() };
		const future = { ...rankr.event('UserCreate', user), timestamp: new Date(Date.now() + 6 * 60 * 1000).toISOString() };
		for (const event of [stale, future]) {
			const r = await deliver(event);
			expect(r.response).toEqual({ status: 200, body: expect.objectContaining({ received: true, ignored: 'timestamp outside the replay window' }) });
			expect(r.items).toBeUndefined();
		}
		const inside = { ...rankr.event('UserCreate', user), timestamp: new Date(Date.now() - 4 * 60 * 1000).toISOString() };
		expect((await deliver(inside)).items).toHaveLength(1);
	});

	test('the window comes from the credential', async () => {
		const event = { ...rankr.event('UserCreate', user), timestamp: new Date(Date.now() - 20 * 1000).toISOString() };
		const tight = { rankrWebhookApi: { method: 'rsa', publicPem: rankr.publicKeyPem, replayWindowSeconds: 10 } };
		expect((await deliver(event, { credentials: tight })).items).toBeUndefined();
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
		expect(results.every((r) => r.response?.status === 200)).toBe(true);
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

describe('credential test', () => {
	test('a usable key passes; a broken key or empty secret is reported', async () => {
		const { RankrTrigger } = await import('../../../nodes/RankrTrigger/RankrTrigger.node');
		const check = new RankrTrigger().methods.credentialTest.rankrWebhookApiTest;
		const run = (data: object) => check.call({} as never, { id: 'c', name: 'c', type: 'rankrWebhookApi', data } as never);
		await expect(run({ method: 'rsa', publicPem: rankr.publicKeyPem, replayWindowSeconds: 300 })).resolves.toMatchObject({ status: 'OK' });
		await expect(run({ method: 'rsa', publicPem: 'not a key', replayWindowSeconds: 300 })).resolves.toMatchObject({ status: 'Error', message: expect.stringMatching(/not a PEM public key/) });
		await expect(run({ method: 'hmac', secret: '', replayWindowSeconds: 300 })).resolves.toEqual({ status: 'Error', message: 'The shared secret is empty' });
	});
});
