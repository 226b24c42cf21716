// The Rankr sandbox's signed deliveries against HighLevel's own verifier (the SDK's WebhookManager.verifyEd25519Signature):
// every event it signs verifies, for every key form the SDK accepts (PEM, raw 32 bytes as base64 or hex), and every
// forgery fails it — so our contract and HighLevel's verifier agree byte for byte. WIP of issue 29.
import { HighLevel } from '@gohighlevel/api-client';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';

import { RankrSandbox } from '../sandbox/rankr';

const rankr = new RankrSandbox({});
const ghl = new HighLevel({ privateIntegrationToken: 'pit-conformance-dummy', logLevel: 'error' });
const verify = (raw: string, signature: string, key: string) => ghl.webhooks.verifyEd25519Signature(raw, signature, key);

/** Each of the sandbox's public keys in the three forms the SDK reads. */
function keyForms(index: number) {
	const pem = (rankr.ed25519PublicKeysPem as string).split(/(?=-----BEGIN PUBLIC KEY-----)/)[index];
	const raw = createPublicKey(pem).export({ format: 'der', type: 'spki' }).subarray(12); // the SPKI prefix is 12 bytes
	return { pem, base64: raw.toString('base64'), hex: raw.toString('hex') };
}

const TYPES = ['UserCreate', 'UserUpdate', 'UserDelete', 'UserRankUpdate', 'UserInactive'];

describe("the Rankr sandbox's signatures under HighLevel's verifier", () => {
	test.each([0, 1])('every event type signed with key %i verifies, in every key form', (keyIndex) => {
		const forms = keyForms(keyIndex);
		for (const type of TYPES) {
			const raw = JSON.stringify(rankr.event(type, { id: 'u-1', email: 'ada@example.com' }));
			const signature = rankr.sign(raw, 'ed25519', { keyIndex })['x-ghl-signature'];
			for (const [form, key] of Object.entries(forms)) expect([type, form, verify(raw, signature, key)]).toEqual([type, form, true]);
		}
	});

	test('forgeries fail it: a changed body, the other key, another key pair, a cut or empty signature, the legacy RSA header', () => {
		const raw = JSON.stringify(rankr.event('UserDelete', { id: 'u-2', email: 'grace@example.com' }));
		const signature = rankr.sign(raw, 'ed25519')['x-ghl-signature'];
		const key = keyForms(0).pem;
		const stranger = sign(null, Buffer.from(raw), generateKeyPairSync('ed25519').privateKey).toString('base64');
		const forged = {
			changedBody: verify(raw.replace('u-2', 'u-3'), signature, key),
			otherKey: verify(raw, signature, keyForms(1).pem),
			strangerKey: verify(raw, stranger, key),
			cut: verify(raw, signature.slice(0, 40), key),
			empty: verify(raw, '', key),
			rsaHeaderValue: verify(raw, rankr.sign(raw, 'rsa')['x-wh-signature'], key),
		};
		expect(forged).toEqual({ changedBody: false, otherKey: false, strangerKey: false, cut: false, empty: false, rsaHeaderValue: false });
	});
});
