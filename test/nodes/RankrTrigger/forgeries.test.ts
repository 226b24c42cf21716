// Jest (Rankr Trigger): forgeries that OpenSSL lets through on some versions (small-order and non-canonical
// Ed25519 keys, S >= L), HMAC with an empty secret, and how an event's timestamp is read. The timestamp cases
// compare with Date.UTC, so they hold in any TZ (and fail without the fix when jest runs with TZ other than UTC).
import * as nodeCrypto from 'node:crypto';

import { callWebhook } from '../../../scripts/engine/engine-runner';
import { RankrSandbox } from '../../../scripts/sandbox/rankr-sandbox';
import { checkCredential, eventTime, keyRingOf, verifySignature, withinReplayWindow } from '../../../nodes/RankrTrigger/verify';

const rankr = new RankrSandbox({ hmacSecret: 'hmac-dummy-secret-for-tests-0002' });
const user = { id: 'usr_9', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' };
const SPKI_PREFIX = '302a300506032b6570032100';
const ff = 'ff'.repeat(30);

/** The 8 small-order points (canonical encodings), the sign-flipped forms of those with x = 0, and y = p, p + 1. */
const SMALL_ORDER: Array<[string, string]> = [
	['y = 1 (the identity)', `01${'00'.repeat(31)}`],
	['y = 1, sign bit set', `01${'00'.repeat(30)}80`],
	['y = 0', '00'.repeat(32)],
	['y = 0, sign bit set', `${'00'.repeat(31)}80`],
	['y = p - 1 (order 2)', `ec${ff}7f`],
	['y = p - 1, sign bit set', `ec${ff}ff`],
	['order 8, first point', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'],
	['order 8, first point, sign bit set', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa'],
	['order 8, second point', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'],
	['order 8, second point, sign bit set', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85'],
	['y = p (non-canonical 0)', `ed${ff}7f`],
	['y = p, sign bit set', `ed${ff}ff`],
	['y = p + 1 (non-canonical 1)', `ee${ff}7f`],
	['y = p + 1, sign bit set', `ee${ff}ff`],
];
/** y >= p but not a small-order point. */
const NON_CANONICAL: Array<[string, string]> = [
	['y = p + 2', `ef${ff}7f`],
	['y = p + 10', `f7${ff}7f`],
	['y = 2^255 - 1', `ff${ff}7f`],
	['y = p + 3, sign bit set', `f0${ff}ff`],
];

const asBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const asPem = (hex: string) =>
	`-----BEGIN PUBLIC KEY-----\n${Buffer.from(SPKI_PREFIX + hex, 'hex').toString('base64')}\n-----END PUBLIC KEY-----\n`;
const FORMS: Array<[string, (hex: string) => string]> = [
	['raw base64', asBase64],
	['raw hex', (hex) => hex],
	['PEM SPKI', asPem],
];
/** R = the identity encoding, S = 0: verifies on any body with a small-order key where OpenSSL accepts one. */
const FORGED = Buffer.concat([Buffer.from(`01${'00'.repeat(31)}`, 'hex'), Buffer.alloc(32)]).toString('base64');
const IDENTITY_BASE64 = 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

const ed = (publicKey: string) => ({ method: 'ed25519' as const, publicKey, replayWindowSeconds: 300 });
const edCredential = (publicPem: string) => ({ method: 'ed25519', publicPem, replayWindowSeconds: 300 });
const realKeyPair = () => nodeCrypto.generateKeyPairSync('ed25519');
const realPem = (keyPair = realKeyPair()) => keyPair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const trigger = async () => new (await import('../../../nodes/RankrTrigger/RankrTrigger.node')).RankrTrigger();
const credentialTest = async (data: object) =>
	(await trigger()).methods.credentialTest.rankrWebhookApiTest.call({} as never, { id: 'c', name: 'c', type: 'rankrWebhookApi', data } as never);
const activate = async (data: object) => {
	const context = { getCredentials: async () => data, getNode: () => ({ name: 'Rankr Trigger' }), getWorkflow: () => ({ id: 'wf' }), logger: { warn: () => undefined } };
	await (await trigger()).webhookMethods.default.checkExists.call(context as never);
};
const deliverWith = (credential: object, headers: Record<string, string>, event: object = rankr.event('UserCreate', user)) =>
	callWebhook({
		parameters: { events: ['*'] },
		credentials: { rankrWebhookApi: credential } as never,
		headers: { 'content-type': 'application/json', ...headers },
		rawBody: JSON.stringify(event),
	});

describe('small-order and non-canonical Ed25519 keys are refused, whatever OpenSSL accepts', () => {
	describe.each(FORMS)('given as %s', (_, form) => {
		test.each(SMALL_ORDER)('%s: not used, and named as weak', (__, hex) => {
			const ring = keyRingOf(ed(form(hex)));
			expect(ring.keys).toHaveLength(0);
			expect(ring.problems).toEqual([expect.stringMatching(/^key 1 of 1 is a weak \(small-order\) Ed25519 key: /)]);
			expect(checkCredential(ed(form(hex))).problem).toMatch(/^Key 1 of 1 is a weak \(small-order\) Ed25519 key/);
		});

		test.each(NON_CANONICAL)('%s: not used, and named as not canonical', (__, hex) => {
			const ring = keyRingOf(ed(form(hex)));
			expect(ring.keys).toHaveLength(0);
			expect(ring.problems).toEqual([expect.stringMatching(/^key 1 of 1 is not a canonical Ed25519 encoding/)]);
		});

		test('beside a real key: the real key is used, the weak one is named by its number', () => {
			const settings = ed(`${realPem()}${form(`01${'00'.repeat(31)}`)}\n${form(`ef${ff}7f`)}`);
			expect(keyRingOf(settings).keys).toHaveLength(1);
			expect(checkCredential(settings).problem).toMatch(
				/^Key 2 of 3 is a weak \(small-order\) Ed25519 key: .*; key 3 of 3 is not a canonical Ed25519 encoding/,
			);
		});
	});

	test('the credential test fails naming the key, and activation throws', async () => {
		await expect(credentialTest(edCredential(IDENTITY_BASE64))).resolves.toEqual({
			status: 'Error',
			message: expect.stringMatching(/^Key 1 of 1 is a weak \(small-order\) Ed25519 key: a signature of any body can be forged/),
		});
		await expect(activate(edCredential(IDENTITY_BASE64))).rejects.toThrow(
			/^The Rankr webhook credential cannot verify deliveries: Key 1 of 1 is a weak \(small-order\) Ed25519 key/,
		);
		await expect(credentialTest(edCredential(asPem(`ed${ff}ff`)))).resolves.toMatchObject({ status: 'Error', message: expect.stringMatching(/weak \(small-order\)/) });
		await expect(credentialTest(edCredential(`ef${ff}7f`))).resolves.toMatchObject({ status: 'Error', message: expect.stringMatching(/^Key 1 of 1 is not a canonical Ed25519 encoding/) });
	});

	test.each([
		['the identity key alone (raw base64)', IDENTITY_BASE64],
		['the identity key alone (PEM)', asPem(`01${'00'.repeat(31)}`)],
		['the identity key, sign bit set', asBase64(`01${'00'.repeat(30)}80`)],
		['the sandbox keys and the identity key', `${rankr.ed25519PublicKeysPem}${IDENTITY_BASE64}`],
	])('a delivery with the forged signature R = identity, S = 0 → 401, no workflow item: %s', async (_, publicPem) => {
		const r = await deliverWith(edCredential(publicPem), { 'x-ghl-signature': FORGED });
		expect(r.response).toEqual({ status: 401, body: { error: 'invalid signature' } });
		expect(r.items).toBeUndefined();
	});

	test.each(SMALL_ORDER)('verifySignature refuses R = identity, S = 0 with %s', (_, hex) => {
		for (const [, form] of FORMS)
			expect(verifySignature(ed(form(hex)), Buffer.from('{"type":"UserDelete"}'), { 'x-ghl-signature': FORGED }).ok).toBe(false);
	});

	test('a real key still passes: the credential test, and a delivery it signed', async () => {
		const keyPair = realKeyPair();
		const raw = Buffer.from(keyPair.publicKey.export({ type: 'spki', format: 'der' })).subarray(12);
		for (const text of [realPem(keyPair), raw.toString('base64'), raw.toString('hex')]) {
			await expect(credentialTest(edCredential(text))).resolves.toEqual({ status: 'OK', message: 'The Ed25519 public key is usable' });
			const event = rankr.event('UserCreate', user);
			const signature = nodeCrypto.sign(null, Buffer.from(JSON.stringify(event)), keyPair.privateKey).toString('base64');
			const r = await deliverWith(edCredential(text), { 'x-ghl-signature': signature }, event);
			expect(r.items).toHaveLength(1);
			expect((await deliverWith(edCredential(text), { 'x-ghl-signature': FORGED })).response?.status).toBe(401);
		}
		// …and so do the sandbox's keys, as in the other tests.
		expect(keyRingOf(ed(rankr.ed25519PublicKeysPem)).keys).toHaveLength(2);
	});
});

describe('a signature whose S is not below the group order L', () => {
	const L = 2n ** 252n + 27742317777372353535851937790883648493n;
	const littleEndian = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();
	const fromLittleEndian = (bytes: Buffer) => BigInt(`0x${Buffer.from(bytes).reverse().toString('hex')}`);
	const withS = (signature: string, s: (old: bigint) => bigint) => {
		const bytes = Buffer.from(signature, 'base64');
		return Buffer.concat([bytes.subarray(0, 32), littleEndian(s(fromLittleEndian(bytes.subarray(32))))]).toString('base64');
	};
	const settings = ed(rankr.ed25519PublicKeysPem);
	// The module object verify.ts calls into (the namespace import above is read-only).
	const cryptoModule = jest.requireActual<typeof nodeCrypto>('crypto');
	let verifySpy: jest.SpyInstance;
	beforeEach(() => {
		verifySpy = jest.spyOn(cryptoModule, 'verify');
	});
	afterEach(() => verifySpy.mockRestore());

	test.each([
		['S + L (the same signature, malleated)', (s: bigint) => s + L],
		['S = L', () => L],
		['S = 2^256 - 1', () => 2n ** 256n - 1n],
	])('%s → 401, refused before crypto.verify is called', async (_, s) => {
		const event = rankr.event('UserCreate', user);
		const genuine = rankr.sign(JSON.stringify(event))['x-ghl-signature'];
		const r = await deliverWith({ ...edCredential(rankr.ed25519PublicKeysPem) }, { 'x-ghl-signature': withS(genuine, s) }, event);
		expect(r.response).toEqual({ status: 401, body: { error: 'invalid signature' } });
		expect(r.items).toBeUndefined();
		expect(verifySpy).not.toHaveBeenCalled();
	});

	test('S = L - 1 is within range: it reaches crypto.verify (and fails there, being a wrong signature)', () => {
		const body = Buffer.from('{"type":"UserCreate"}');
		const genuine = rankr.sign(body.toString())['x-ghl-signature'];
		expect(verifySignature(settings, body, { 'x-ghl-signature': genuine }).ok).toBe(true);
		verifySpy.mockClear();
		expect(verifySignature(settings, body, { 'x-ghl-signature': withS(genuine, () => L - 1n) }).ok).toBe(false);
		expect(verifySpy).toHaveBeenCalled();
	});
});

describe('HMAC with an empty secret', () => {
	const body = JSON.stringify(rankr.event('UserDelete', user));
	const emptyHmac = `sha256=${nodeCrypto.createHmac('sha256', '').update(body).digest('hex')}`;

	test('verifySignature refuses even a header that is HMAC("", body)', () => {
		expect(verifySignature({ method: 'hmac', secret: '', replayWindowSeconds: 300 }, Buffer.from(body), { 'x-rankr-signature': emptyHmac })).toEqual({ ok: false, status: 401, reason: 'invalid signature' });
		expect(verifySignature({ method: 'hmac', replayWindowSeconds: 300 }, Buffer.from(body), { 'x-rankr-signature': emptyHmac }).ok).toBe(false);
	});

	test('a delivery signed with the empty secret → 401 and no workflow item', async () => {
		const r = await callWebhook({
			parameters: { events: ['*'] },
			credentials: { rankrWebhookApi: { method: 'hmac', secret: '', replayWindowSeconds: 300 } } as never,
			headers: { 'content-type': 'application/json', 'x-rankr-signature': emptyHmac },
			rawBody: body,
		});
		expect(r.response).toEqual({ status: 401, body: { error: 'invalid signature' } });
		expect(r.items).toBeUndefined();
	});

	test('a non-empty secret still verifies', () => {
		const signed = `sha256=${nodeCrypto.createHmac('sha256', 's3cret').update(body).digest('hex')}`;
		expect(verifySignature({ method: 'hmac', secret: 's3cret', replayWindowSeconds: 300 }, Buffer.from(body), { 'x-rankr-signature': signed }).ok).toBe(true);
	});
});

describe('event timestamps', () => {
	const utc = (...parts: [number, number, number, number, number, number?, number?]) => Date.UTC(...parts);

	test.each([
		['2026-11-23T10:15:00', utc(2026, 10, 23, 10, 15, 0)],
		['2026-11-23 10:15:00', utc(2026, 10, 23, 10, 15, 0)],
		['2026-11-23T10:15', utc(2026, 10, 23, 10, 15)],
		['2026-11-23T10:15:00.123', utc(2026, 10, 23, 10, 15, 0, 123)],
		['2026-11-23T10:15:00.123456789', utc(2026, 10, 23, 10, 15, 0, 123)],
		['2026-11-23T10:15:00Z', utc(2026, 10, 23, 10, 15, 0)],
		['2026-11-23T10:15:00.5z', utc(2026, 10, 23, 10, 15, 0, 500)],
		['2026-11-23T10:15:00+05:30', utc(2026, 10, 23, 4, 45, 0)],
		['2026-11-23T10:15:00+0530', utc(2026, 10, 23, 4, 45, 0)],
		['2026-11-23T10:15:00-08:00', utc(2026, 10, 23, 18, 15, 0)],
		['2026-11-23 10:15:00-0800', utc(2026, 10, 23, 18, 15, 0)],
		['2026-11-23', utc(2026, 10, 23, 0, 0, 0)],
		['2024-02-29T23:59:59Z', utc(2024, 1, 29, 23, 59, 59)],
	])('%s → its UTC instant', (text, expected) => {
		expect(eventTime(text)).toBe(expected);
	});

	test('epoch milliseconds as a number are taken as they are', () => {
		expect(eventTime(1_795_428_900_000)).toBe(1_795_428_900_000);
		expect(eventTime(Number.NaN)).toBeNaN();
	});

	test.each([
		['over 64 characters', `2026-11-23T10:15:00Z${' '.repeat(45)}`],
		['65 characters of fraction', `2026-11-23T10:15:00.${'1'.repeat(45)}`],
		['not a date', 'yesterday'],
		['an RFC 2822 date (not the contract)', 'Mon, 23 Nov 2026 10:15:00 GMT'],
		['epoch ms as a string', '1795428900000'],
		['month 13', '2026-13-01T00:00:00Z'],
		['30 February', '2026-02-30T00:00:00Z'],
		['29 February in a common year', '2026-02-29T00:00:00Z'],
		['hour 24', '2026-11-23T24:00:00Z'],
		['minute 60', '2026-11-23T10:60:00Z'],
		['offset hour 24', '2026-11-23T10:15:00+24:00'],
		['a zone without a time', '2026-11-23Z'],
		['text after it', '2026-11-23T10:15:00Z trailing'],
		['the empty string', ''],
	])('%s → NaN', (_, text) => {
		expect(eventTime(text)).toBeNaN();
	});

	test.each([null, undefined, {}, ['2026-11-23T10:15:00Z'], true])('%p → NaN', (value) => {
		expect(eventTime(value)).toBeNaN();
	});

	test('a zone-less timestamp of now is inside the replay window', () => {
		const now = Date.UTC(2026, 10, 23, 10, 15, 30);
		expect(withinReplayWindow('2026-11-23T10:15:00', 300, now)).toBe(true);
		expect(withinReplayWindow('2026-11-23T10:15:00+01:00', 300, now)).toBe(false);
	});
});
