// Jest (unit, npm run test:unit): bounded waits, writes that happen once and masked secrets, without HTTP.
import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { apiError, asNodeError, maskUrlUserinfo, redact, redactDeep, urlSecrets } from '../../nodes/shared/errors';
import { isIdempotent } from '../../nodes/shared/http';
import type { AttemptOutcome } from '../../nodes/shared/attempt';
import { withRetries } from '../../nodes/shared/retry';
import { humanDuration, WaitBudget, WaitRefused } from '../../nodes/shared/waits';

const node: INode = { id: 'n', name: 'Node', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} };
const answer = (statusCode: number, headers: Record<string, unknown> = {}): AttemptOutcome => ({ kind: 'response', statusCode, headers, body: {} });
const reset = (): AttemptOutcome => ({ kind: 'transportError', error: new Error('socket hang up'), code: 'ECONNRESET', maybeProcessed: true });
const refused = (): AttemptOutcome => ({ kind: 'transportError', error: new Error('connect ECONNREFUSED'), code: 'ECONNREFUSED', maybeProcessed: false });
const fast = { maxRetries: 5, baseDelayMs: 1, maxDelayMs: 2, maxRateLimitWaits: 10 };

/** An attempt function that answers the given outcomes in turn (then 200), counting the calls. */
function answers(...outcomes: AttemptOutcome[]) {
	const calls = { n: 0 };
	return { calls, attempt: async () => outcomes[calls.n++] ?? answer(200) };
}

describe('a wait budget', () => {
	test('refuses one wait over the cap, waits that add up over it, and any wait past the deadline', () => {
		const budget = new WaitBudget(10_000);
		expect(budget.refusal(10_001)).toBe('tooLong');
		expect(budget.take(6_000, { what: 'x' })).toBeUndefined();
		expect(budget.refusal(5_000)).toBe('tooMuch');
		expect(budget.take(5_000, { what: 'a 429', header: 'Retry-After', value: '5' })).toBeInstanceOf(WaitRefused);
		expect(budget.spentMs).toBe(6_000); // a refused wait is not counted
		expect(new WaitBudget(60_000, Date.now() + 1_000).refusal(2_000)).toBe('deadline');
		expect(new WaitBudget(60_000, Date.now() + 5_000).attemptTimeoutMs(60_000)).toBeLessThanOrEqual(5_000);
	});

	test('reads as a person reads a wait', () => {
		expect([350, 1500, 60_000, 600_000, 100_000_000, 2_000_000_000].map(humanDuration)).toEqual(['350 ms', '1.5 s', '60 s', '10 min', '27.8 h', '23 days']);
	});
});

describe('retries by idempotency', () => {
	test('not idempotent: a 5xx or a lost connection is not retried and comes back unsettled', async () => {
		for (const first of [answer(502), reset()]) {
			const { calls, attempt } = answers(first);
			const result = await withRetries(attempt, fast, { idempotent: false });
			expect(result).toMatchObject({ unsettled: true, attempts: 1 });
			expect(calls.n).toBe(1);
		}
	});

	test('not idempotent: a refused connection and a 429 prove nothing happened, so they are retried', async () => {
		const { calls, attempt } = answers(refused(), answer(429, { 'retry-after': '0' }));
		const result = await withRetries(attempt, fast, { idempotent: false });
		expect(result.outcome).toMatchObject({ statusCode: 200 });
		expect(result.unsettled).toBeUndefined();
		expect(calls.n).toBe(3);
	});

	test('not idempotent with a look-up: beforeRetry decides', async () => {
		const { calls, attempt } = answers(answer(503));
		const result = await withRetries(attempt, fast, { idempotent: false, beforeRetry: async () => undefined });
		expect(result.outcome).toMatchObject({ statusCode: 200 });
		expect(calls.n).toBe(2);
	});

	test('idempotent: retried as before', async () => {
		const { calls, attempt } = answers(answer(502), reset());
		expect((await withRetries(attempt, fast, { idempotent: true })).outcome).toMatchObject({ statusCode: 200 });
		expect(calls.n).toBe(3);
	});

	test('a Retry-After beyond the cap throws at once, naming the header; a backoff beyond it returns the last answer', async () => {
		const long = answers(answer(429, { 'retry-after': '100000' }));
		await expect(withRetries(long.attempt, fast, { idempotent: true })).rejects.toMatchObject({ kind: 'tooLong', reason: { header: 'Retry-After', value: '100000' } });
		expect(long.calls.n).toBe(1);
		const outage = answers(answer(503), answer(503), answer(503));
		const result = await withRetries(outage.attempt, { ...fast, baseDelayMs: 1000, maxDelayMs: 1000 }, { idempotent: true, budget: new WaitBudget(999) });
		expect(result.outcome).toMatchObject({ statusCode: 503 });
		expect(outage.calls.n).toBeLessThanOrEqual(2);
	});

	test('GET, PUT and DELETE default to idempotent; a POST must say', () => {
		expect(isIdempotent({ method: 'PUT' })).toBe(true);
		expect(isIdempotent({ method: 'POST', idempotent: false })).toBe(false);
		expect(() => isIdempotent({ method: 'POST' })).toThrow(/must say whether it is idempotent/);
	});
});

describe('secrets masked', () => {
	const ECHOED = 'dummy-echoed-value-0123456789';

	test('URL user info, in any URL of a text', () => {
		expect(maskUrlUserinfo('Could not reach https://ada:pa55@api.example.com/x and http://bob@h:1?q=a@b')).toBe('Could not reach https://***@api.example.com/x and http://***@h:1?q=a@b');
		expect(maskUrlUserinfo('mail ada@example.com, see https://example.com/u/ada@example.com')).toBe('mail ada@example.com, see https://example.com/u/ada@example.com');
	});

	test('a Base URL gives its password, the pair and the Basic header as secrets', () => {
		const secrets = urlSecrets('https://ada:p%40ss-word@host.example/api');
		expect(secrets).toEqual(expect.arrayContaining(['p@ss-word', 'ada:p@ss-word', Buffer.from('ada:p@ss-word').toString('base64')]));
		expect(urlSecrets('https://host.example')).toEqual([]);
	});

	test('redact masks keys anywhere (headers of any casing echoed back included), deep, keys of objects too', () => {
		expect(redact(`{"X-XNG-AUTHTOKEN":"${ECHOED}","x-xng-authtoken":"${ECHOED}"}`, [ECHOED])).toBe('{"X-XNG-AUTHTOKEN":"***","x-xng-authtoken":"***"}');
		expect(redactDeep({ headers: { authorization: `Bearer ${ECHOED}` }, [ECHOED]: [ECHOED] }, [ECHOED])).toEqual({ headers: { authorization: 'Bearer ***' }, '***': ['***'] });
	});

	test('apiError and asNodeError mask what they carry, n8n\'s own errors included', () => {
		const built = apiError(node, { message: `failed at https://u:p4ss@h/`, description: `echo ${ECHOED}`, data: { body: ECHOED }, secrets: [ECHOED], itemIndex: 0 });
		expect(JSON.stringify(built)).not.toMatch(/p4ss|dummy-echoed/);
		const theirs = new NodeApiError(node, { message: `echo ${ECHOED}` }, { message: `Bad request ${ECHOED}`, description: `Response: ${ECHOED}` });
		const masked = asNodeError(node, theirs, 0, [ECHOED]);
		expect(`${masked.message} ${masked.description} ${masked.stack} ${JSON.stringify(masked)}`).not.toContain(ECHOED);
		const plain = asNodeError(node, Object.assign(new Error(`boom ${ECHOED}`), { config: { headers: { 'X-Key': ECHOED } } }), 2, [ECHOED]);
		expect(plain).toBeInstanceOf(NodeOperationError);
		expect(JSON.stringify(plain)).not.toContain(ECHOED);
		expect(plain.message).toBe('boom ***');
	});
});
