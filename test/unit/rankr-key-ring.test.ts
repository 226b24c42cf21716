// Jest (unit): the Rankr Trigger's key ring (nodes/RankrTrigger/keyRing.ts) and what the credential check says of it:
// small-order and non-canonical Ed25519 keys in every form are not used and are named by their number, and a key
// text is parsed once. The same keys sent to the built node: test/nodes/RankrTrigger/forgeries.test.ts.
import { generateKeyPairSync } from 'node:crypto';

import { checkCredential } from '../../nodes/RankrTrigger/credentialCheck';
import { keyRingOf } from '../../nodes/RankrTrigger/keyRing';
import { RankrSandbox } from '../../scripts/sandbox/rankr-sandbox';
import { ff, FORMS, NON_CANONICAL, SMALL_ORDER } from '../helpers/ed25519-forgeries';

const rankr = new RankrSandbox({});
const ed = (publicKeys: string) => ({ method: 'ed25519' as const, publicKeys, replayWindowSeconds: 300 });
const realPem = () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

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

	test("the sandbox's two keys are both used", () => {
		expect(keyRingOf(ed(rankr.ed25519PublicKeysPem)).keys).toHaveLength(2);
	});
});

test('the keys are parsed once per key text, not per delivery', () => {
	const settings = { method: 'ed25519' as const, publicKeys: rankr.ed25519PublicKeysPem };
	expect(keyRingOf(settings)).toBe(keyRingOf({ ...settings }));
	expect(keyRingOf(settings).keys).toHaveLength(2);
	expect(keyRingOf({ ...settings, publicKeys: rankr.ed25519PublicKeyRaw(0) })).not.toBe(keyRingOf(settings));
});
