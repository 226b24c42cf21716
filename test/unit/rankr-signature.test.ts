// Jest (unit): the Rankr Trigger's signature check (nodes/RankrTrigger/signature.ts) on forgeries: R = identity,
// S = 0 with every small-order key, S just below the group order L, HMAC with an empty secret. The same forgeries
// sent to the built node: test/nodes/RankrTrigger/forgeries.test.ts.
import * as nodeCrypto from 'node:crypto';

import { verifySignature } from '../../nodes/RankrTrigger/signature';
import { RankrSandbox } from '../../scripts/sandbox/rankr-sandbox';
import { FORGED, FORMS, L, SMALL_ORDER, spyOnCryptoVerify, withS } from '../helpers/ed25519-forgeries';

const rankr = new RankrSandbox({});
const ed = (publicKeys: string) => ({ method: 'ed25519' as const, publicKeys, replayWindowSeconds: 300 });

test.each(SMALL_ORDER)('verifySignature refuses R = identity, S = 0 with %s', (_, hex) => {
	for (const [, form] of FORMS)
		expect(verifySignature(ed(form(hex)), Buffer.from('{"type":"UserDelete"}'), { 'x-ghl-signature': FORGED }).ok).toBe(false);
});

describe('a signature whose S is not below the group order L', () => {
	const verifySpy = spyOnCryptoVerify();

	test('S = L - 1 is within range: it reaches crypto.verify (and fails there, being a wrong signature)', () => {
		const settings = ed(rankr.ed25519PublicKeysPem);
		const body = Buffer.from('{"type":"UserCreate"}');
		const genuine = rankr.sign(body.toString())['x-ghl-signature'];
		expect(verifySignature(settings, body, { 'x-ghl-signature': genuine }).ok).toBe(true);
		verifySpy().mockClear();
		expect(verifySignature(settings, body, { 'x-ghl-signature': withS(genuine, () => L - 1n) }).ok).toBe(false);
		expect(verifySpy()).toHaveBeenCalled();
	});
});

describe('HMAC with an empty secret', () => {
	const body = JSON.stringify(rankr.event('UserDelete', { id: 'usr_9', email: 'ada@example.com' }));
	const emptyHmac = `sha256=${nodeCrypto.createHmac('sha256', '').update(body).digest('hex')}`;

	test('verifySignature refuses even a header that is HMAC("", body)', () => {
		expect(verifySignature({ method: 'hmac', secret: '', replayWindowSeconds: 300 }, Buffer.from(body), { 'x-rankr-signature': emptyHmac })).toEqual({ ok: false, status: 401, reason: 'invalid signature' });
		expect(verifySignature({ method: 'hmac', replayWindowSeconds: 300 }, Buffer.from(body), { 'x-rankr-signature': emptyHmac }).ok).toBe(false);
	});

	test('a non-empty secret still verifies', () => {
		const signed = `sha256=${nodeCrypto.createHmac('sha256', 's3cret').update(body).digest('hex')}`;
		expect(verifySignature({ method: 'hmac', secret: 's3cret', replayWindowSeconds: 300 }, Buffer.from(body), { 'x-rankr-signature': signed }).ok).toBe(true);
	});
});
