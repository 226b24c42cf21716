// Jest (reliability, unit tests of the modules that read outside text, and the nodes run on it): linear time on 1 MB hostile shapes.
// Text from outside (items, AI tool arguments, server answers, webhook bodies) in hostile shapes of 1 MB: every
// function that validates, normalises, redacts or formats such text must get through it in linear time. No
// wall-clock assertion: each test's own time-out is the guard (a backtracking regex took 28 s on 200,000
// characters, so it would blow far past it), and the engine runs below check that the nodes answer with one
// clear, short error item for such input, without a request.
import { generateKeyPairSync } from 'node:crypto';

import fc from 'fast-check';

import { parseEntryPointer } from '../../nodes/ActivateProUser/actions/user/bulk/send';
import { looksLikeEmail } from '../../nodes/ActivateProUser/emailAddress';
import { describeApiError } from '../../nodes/ActivateProUser/transport';
import { messageOf } from '../../nodes/EmailApi/answers';
import { isEmailAddress } from '../../nodes/EmailApi/emailAddress';
import { splitFullName } from '../../nodes/EmailApi/fullName';
import { filteredOut, normalise } from '../../nodes/RankrTrigger/events';
import { checkCredential } from '../../nodes/RankrTrigger/credentialCheck';
import { eventTime, withinReplayWindow } from '../../nodes/RankrTrigger/replayWindow';
import { verifySignature } from '../../nodes/RankrTrigger/signature';
import { errorMessage, redact, redactDeep } from '../../nodes/shared/errors';
import { encodePathSegment, parseBody, trimSlash } from '../../nodes/shared/http';
import { fieldPath } from '../../nodes/shared/itemFields';
import { requestLabel } from '../../nodes/shared/log';
import { classifyTransportError } from '../../nodes/shared/attempt';
import { parseRetryAfter } from '../../nodes/shared/retry';
import { clipForLog, quoted, withoutEmails } from '../../nodes/shared/text';
import { runNode } from '../../scripts/engine/engine-runner';
import { apCredentials, startActivatePro } from '../helpers/activatepro-fixture';
import { apiKeyCredentials, startEmailApi } from '../helpers/emailapi-fixture';
import { sandboxPerFile } from '../helpers/perFile';

const MB = 1024 * 1024;
const BODY = Buffer.from('{"type":"UserCreate"}');
const ED25519_KEY = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
/** Generous for linear work on 1 MB (milliseconds), hopeless for quadratic work (hours). */
const GUARD_MS = 20_000;

// Fragments that drive regexes into backtracking: long runs that almost match, separators that never come.
const FRAGMENTS = ['a', '@', '.', 'a@', '@a', 'a.', ' ', '\t', '"', '%40', '~1', '/', '/0', '0', '=', 'é', '😀', '\u00a0', 'sha256=', '{{', '$json.', '['];

/** A 1 MB string made of a short generated pattern repeated, with an optional different tail. */
const hostileText = fc
	.tuple(
		// what stands before the run: e.g. "a@" then "a.a.a.… " made the old email regex backtrack to every dot
		fc.constantFrom('', 'a@', 'https://', '/updated/', '={{ $json'),
		fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 4 }),
		fc.constantFrom('', '!', '@', '.com', ' ', 'a@b.co'),
	)
	.map(([prefix, pattern, tail]) => {
		const unit = pattern.join('');
		return prefix + unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB) + tail;
	});

/** Every function of the nodes that reads text from outside, fed one string. */
const READERS: Array<[string, (text: string) => unknown]> = [
	['isEmailAddress', isEmailAddress],
	['looksLikeEmail', looksLikeEmail],
	['withoutEmails', withoutEmails],
	['clipForLog', clipForLog],
	['quoted', quoted],
	['requestLabel', (t) => requestLabel('GET', `/users/${t}/x`, 3)],
	['redact', (t) => redact(t, ['sk_live_secret_key', t.slice(0, 40)])],
	['redactDeep', (t) => redactDeep({ a: [t], b: { c: t } }, ['sk_live_secret_key'])],
	['splitFullName', splitFullName],
	['parseEntryPointer', parseEntryPointer],
	['fieldPath', (t) => fieldPath(`={{ $json${t} }}`)],
	['parseRetryAfter', parseRetryAfter],
	['classifyTransportError', (t) => classifyTransportError(Object.assign(new Error(t), { cause: new Error(t) }))],
	['parseBody', (t) => parseBody(Buffer.from(t))],
	['encodePathSegment', (t) => (t.length > 2 ? encodePathSegment(t) : undefined)],
	['trimSlash', trimSlash],
	['errorMessage', (t) => errorMessage(Object.assign(new Error(t), { description: t }))],
	['describeApiError', (t) => describeApiError({ code: t, title: t, details: t, source: { pointer: t } })],
	['messageOf', (t) => [messageOf(t), messageOf({ message: [t, t] })]],
	['eventTime', eventTime],
	['withinReplayWindow', (t) => withinReplayWindow(t, 300)],
	['filteredOut', (t) => filteredOut({ type: t, rank: t, previousRank: t, inactiveDays: t }, { events: ['*'], rankFilter: 'improved', topN: 10, minInactiveDays: 3 })],
	['normalise', (t) => normalise({ type: t, firstName: t, lastName: t, rank: t, email: t }, new Date())],
	// the trigger: signature headers of any length for each method, and a key field pasted with anything
	['verifySignature', (t) => ['ed25519', 'rsa', 'hmac'].map((method) => verifySignature({ method: method as 'ed25519', publicKeys: ED25519_KEY, secret: 's3cret', replayWindowSeconds: 300 }, BODY, { 'x-ghl-signature': t, 'x-wh-signature': t, 'x-rankr-signature': t }))],
	['checkCredential (key field)', (t) => ['ed25519', 'rsa'].map((method) => checkCredential({ method: method as 'ed25519', publicKeys: t, replayWindowSeconds: 300 }))],
];

let fed = 0;
afterAll(() => {
	// eslint-disable-next-line no-console
	console.log(`Linear-time guard: ${fed} strings of 1 MB through ${READERS.length} functions`);
});

describe.each(READERS)('%s reads 1 MB of hostile text in linear time', (_, read) => {
	test(
		'generated shapes',
		() => {
			fc.assert(
				fc.property(hostileText, (text) => {
					fed++;
					read(text);
				}),
				{ numRuns: 12, seed: 20261202 },
			);
		},
		GUARD_MS,
	);
});

test('what the nodes put into messages and log lines stays short whatever they quote', () => {
	const huge = 'x@'.repeat(MB / 2);
	expect(quoted(huge).length).toBeLessThan(120);
	expect(clipForLog(huge).length).toBeLessThan(2100);
	expect(withoutEmails(`user ${huge}`).length).toBeLessThan(2100);
	expect(describeApiError({ code: '4', details: huge, source: { pointer: huge } }).length).toBeLessThan(800);
});

describe('the nodes answer a 1 MB field with one short error item, before any request', () => {
	const ap = sandboxPerFile(() => startActivatePro({ processingDelayMs: 1 }));
	const em = sandboxPerFile(() => startEmailApi());
	// the measured attack: a long string that is not an address (quadratic in the old regexes)
	const notAnAddress = 'a'.repeat(MB);
	const almostAnAddress = `${'a.'.repeat(MB / 2)}@`;

	test.each([
		['not an address', notAnAddress],
		['almost an address', almostAnAddress],
	])(
		'Email API user create: %s',
		async (_, email) => {
			const result = await runNode({
				type: 'n8n-nodes-rankr.emailApi',
				parameters: { resource: 'user', operation: 'create', email: '={{ $json.email }}', fullName: 'Ada Lovelace', role: 'user' },
				items: [{ email }, { email: 'ada@example.com' }],
				credentials: apiKeyCredentials(em),
				onError: 'continueRegularOutput',
			});
			const [bad, good] = result.success as Array<{ json: Record<string, unknown> }>;
			expect(String(bad.json.error)).toMatch(/"Email" is not a valid email address: ".{80}…" \(\d+ characters\) \(item 1\)/);
			expect(JSON.stringify(bad.json).length).toBeLessThan(500);
			expect(good.json.email).toBe('ada@example.com');
			expect(em.requests('POST /users')).toHaveLength(1); // only the good one was sent
		},
		GUARD_MS,
	);

	test(
		'ActivatePro bulk: a 1 MB email fails its item; the others go in one request; the warn line stays short',
		async () => {
			const items = [{ id: 'u1', email: notAnAddress }, { id: 'u2', email: 'b@example.com' }, { id: 'u3', email: almostAnAddress }];
			const result = await runNode({
				type: 'n8n-nodes-rankr.activateProUser',
				parameters: { operation: 'batch', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributeSource: 'none' },
				items,
				credentials: apCredentials(ap),
				onError: 'continueRegularOutput',
			});
			const out = result.success as Array<{ json: Record<string, unknown> }>;
			expect(out.map((item) => (item.json.error ? 'error' : item.json.status))).toEqual(['error', 'accepted', 'error']);
			expect(JSON.stringify(out).length).toBeLessThan(1500);
			expect(ap.requests().map((r) => `${r.method} ${r.rawPath}`)).toEqual(['POST /users/batch']);
			const warnings = result.logs.filter((line) => line.level === 'warn');
			expect(warnings.length).toBeGreaterThan(0);
			for (const line of warnings) expect(line.message.length).toBeLessThan(2200);
		},
		GUARD_MS,
	);
});
