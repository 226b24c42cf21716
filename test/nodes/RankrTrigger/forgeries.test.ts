// Jest (Rankr Trigger): forgeries that OpenSSL lets through on some versions (small-order and non-canonical
// Ed25519 keys, S >= L) and HMAC with an empty secret, sent to the built node through the engine runner, and its
// credential test and activation on them. The modules' own verdicts: test/unit/rankr-key-ring.test.ts,
// rankr-signature.test.ts; how an event's timestamp is read: test/unit/rankr-replay-window.test.ts.
import * as nodeCrypto from 'node:crypto';

import { callWebhook } from '../../../scripts/engine/engine-runner';
import { RankrSandbox } from '../../../scripts/sandbox/rankr-sandbox';
import { asBase64, asPem, ff, FORGED, IDENTITY_BASE64, L, spyOnCryptoVerify, withS } from '../../helpers/ed25519-forgeries';
import { activate, credentialTest } from '../../helpers/rankr-trigger-methods';

const rankr = new RankrSandbox({ hmacSecret: 'hmac-dummy-secret-for-tests-0002' });
const user = { id: 'usr_9', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' };
const edCredential = (publicPem: string) => ({ method: 'ed25519', publicPem, replayWindowSeconds: 300 });
const realKeyPair = () => nodeCrypto.generateKeyPairSync('ed25519');
const realPem = (keyPair = realKeyPair()) => keyPair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const deliverWith = (credential: object, headers: Record<string, string>, event: object = rankr.event('UserCreate', user)) =>
	callWebhook({
		parameters: { events: ['*'] },
		credentials: { rankrWebhookApi: credential } as never,
		headers: { 'content-type': 'application/json', ...headers },
		rawBody: JSON.stringify(event),
	});

describe('small-order and non-canonical Ed25519 keys are refused, whatever OpenSSL accepts', () => {
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
	});
});

describe('a signature whose S is not below the group order L', () => {
	const verifySpy = spyOnCryptoVerify();

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
		expect(verifySpy()).not.toHaveBeenCalled();
	});
});

describe('HMAC with an empty secret', () => {
	const body = JSON.stringify(rankr.event('UserDelete', user));
	const emptyHmac = `sha256=${nodeCrypto.createHmac('sha256', '').update(body).digest('hex')}`;

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
});
