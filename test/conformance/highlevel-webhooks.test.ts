// Jest (conformance): the Rankr sandbox's signatures against HighLevel's verifier and the trigger's own check.
// The Rankr sandbox's signed deliveries against HighLevel's own verifier (the SDK's WebhookManager.verifyEd25519Signature):
// every event it signs verifies, for every key form the SDK accepts (PEM, raw 32 bytes as base64 or hex), and every
// forgery fails it, and the built Rankr Trigger (through the engine runner) gives the same verdict on each — so our
// contract and HighLevel's verifier agree byte for byte.
import { HighLevel } from '@gohighlevel/api-client';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';

import { callWebhook } from '../../scripts/engine/engine-runner';
import { RankrSandbox } from '../../scripts/sandbox/rankr-sandbox';

const rankr = new RankrSandbox({});
const ghl = new HighLevel({ privateIntegrationToken: 'pit-conformance-dummy', logLevel: 'none' });
const verify = (raw: string, signature: string, key: string) => ghl.webhooks.verifyEd25519Signature(raw, signature, key);
/**
 * Whether the Rankr Trigger takes the delivery (starts a run) with this key in its credential. As a test event from
 * the editor (manual), so the same event sent with each key is judged on its signature alone, not as a redelivery.
 */
async function triggerAccepts(raw: string, signature: string, key: string): Promise<boolean> {
	const r = await callWebhook({
		parameters: { events: ['*'] },
		credentials: { rankrWebhookApi: { method: 'ed25519', publicPem: key, replayWindowSeconds: 300 } },
		headers: { 'content-type': 'application/json', 'x-ghl-signature': signature },
		rawBody: raw,
		mode: 'manual',
	});
	return r.items !== undefined;
}

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

	test("forgeries fail it, and the trigger's own check agrees on every delivery", async () => {
		const raw = JSON.stringify(rankr.event('UserDelete', { id: 'u-2', email: 'grace@example.com' }));
		const signature = rankr.sign(raw, 'ed25519')['x-ghl-signature'];
		const keys = keyForms(0);
		const stranger = sign(null, Buffer.from(raw), generateKeyPairSync('ed25519').privateKey).toString('base64');
		// [body, x-ghl-signature, key text]: the sandbox's own deliveries, then each forgery the trigger's tests send
		const deliveries: Record<string, [string, string, string]> = {
			'signed (PEM key)': [raw, signature, keys.pem],
			'signed (raw base64 key)': [raw, signature, keys.base64],
			'signed (raw hex key)': [raw, signature, keys.hex],
			'signed, without base64 padding': [raw, signature.replace(/=+$/, ''), keys.pem],
			'changed body': [raw.replace('u-2', 'u-3'), signature, keys.pem],
			'signed with the other key of the rotation': [raw, signature, keyForms(1).pem],
			'signed with a key pair Rankr does not hold': [raw, stranger, keys.pem],
			'cut signature': [raw, signature.slice(0, 40), keys.pem],
			'truncated to 3 bytes': [raw, 'YWJj', keys.pem],
			'longer than 88 characters': [raw, `${signature}AAAA`, keys.pem],
			'empty signature': [raw, '', keys.pem],
			'an HMAC value': [raw, rankr.sign(raw, 'hmac')['x-rankr-signature'], keys.pem],
			'the legacy RSA value': [raw, rankr.sign(raw, 'rsa')['x-wh-signature'], keys.pem],
		};
		const verdicts = Object.fromEntries(
			await Promise.all(
				Object.entries(deliveries).map(async ([name, [body, sig, key]]) => {
					const highLevel = verify(body, sig, key);
					const trigger = await triggerAccepts(body, sig, key);
					return [name, { highLevel, trigger }];
				}),
			),
		);
		const expected = Object.fromEntries(Object.keys(deliveries).map((name) => {
			const valid = name.startsWith('signed') && !name.includes('key pair') && !name.includes('other key');
			return [name, { highLevel: valid, trigger: valid }];
		}));
		// The one disagreement, on purpose: Node's base64 decoder stops at the padding, so HighLevel's verifier takes a
		// valid signature with bytes after it; the trigger takes only a 64-byte signature in plain base64 (no genuine
		// delivery looks otherwise, and a header that can be padded at will is one more thing to probe with).
		expected['longer than 88 characters'] = { highLevel: true, trigger: false };
		expect(verdicts).toEqual(expected);
	});
});
