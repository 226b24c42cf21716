// Jest (unit): Retry-After is whole seconds (at least 1) or a future HTTP date; anything else falls back to backoff.
import { runNode } from '../../scripts/engine/engine-runner';
import { apCredentials, startActivatePro } from '../helpers/activatepro-fixture';
import { sandboxPerFile } from '../helpers/perFile';
import type { AttemptOutcome } from '../../nodes/shared/attempt';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, withRetries } from '../../nodes/shared/retry';

const NOW = Date.UTC(2026, 10, 23, 10, 15, 0);

describe('parseRetryAfter', () => {
	test.each([
		['1', 1000],
		['3', 3000],
		[' 7 ', 7000],
		['60', 60_000],
		['000000002', 2000],
		['999999999', 999_999_999_000],
		[['5', '9'], 5000],
		[12, 12_000],
	])('%p seconds → %i ms', (value, ms) => {
		expect(parseRetryAfter(value, NOW)).toBe(ms);
	});

	test.each([
		['Mon, 23 Nov 2026 10:15:30 GMT', 30_000],
		['Tue, 24 Nov 2026 10:15:00 GMT', 24 * 3600 * 1000],
		['mon, 23 nov 2026 10:16:00 GMT', 60_000],
	])('the HTTP date %s (in the future) → %i ms', (value, ms) => {
		expect(parseRetryAfter(value, NOW)).toBe(ms);
	});

	test('the HTTP date Date#toUTCString writes is read', () => {
		expect(parseRetryAfter(new Date(NOW + 4_000).toUTCString(), NOW)).toBe(4_000);
	});

	test.each([
		['a negative number', '-5'],
		['a version-like number', '1.5.5'],
		['a tiny fraction', '0.0001'],
		['a fraction', '1.5'],
		['half a second', '0.5'],
		['zero', '0'],
		['zeros', '000'],
		['a number', 0],
		['a negative number (not a string)', -5],
		['a plus sign', '+5'],
		['hex', '0x10'],
		['an exponent', '1e3'],
		['text', 'abc'],
		['ten digits', '1000000000'],
		['an HTTP date in the past', 'Mon, 23 Nov 2026 10:14:59 GMT'],
		['an HTTP date of now', 'Mon, 23 Nov 2026 10:15:00 GMT'],
		['an HTTP date of 1970', 'Thu, 01 Jan 1970 00:00:00 GMT'],
		['an ISO date (not an HTTP date)', '2026-11-23T10:20:00Z'],
		['an HTTP date without GMT', 'Mon, 23 Nov 2026 10:20:00'],
		['an HTTP date in another zone', 'Mon, 23 Nov 2026 10:20:00 +0100'],
		['an HTTP date with a month that is not one', 'Mon, 23 Xyz 2026 10:20:00 GMT'],
		['an HTTP date of 31 February', 'Mon, 31 Feb 2027 10:20:00 GMT'],
		['an HTTP date at hour 25', 'Mon, 23 Nov 2026 25:20:00 GMT'],
		['empty', ''],
		['blank', '   '],
		['over 64 characters', `${'1'.repeat(65)}`],
		['over 64 characters of date', `Tue, 24 Nov 2026 10:15:00 GMT${' '.repeat(40)}x`],
		['undefined', undefined],
		['null', null],
		['an empty list', []],
	])('%s (%p) → undefined', (_, value) => {
		expect(parseRetryAfter(value, NOW)).toBeUndefined();
	});
});

describe('withRetries: an unusable Retry-After on a 429 waits the backoff, never 0 ms', () => {
	const answers = (retryAfter: string): Array<() => AttemptOutcome> => [
		() => ({ kind: 'response', statusCode: 429, headers: { 'retry-after': retryAfter }, body: {} }),
		() => ({ kind: 'response', statusCode: 200, headers: {}, body: { ok: true } }),
	];

	test.each(['-5', '1.5.5', '0.0001', '0', 'abc', 'Thu, 01 Jan 1970 00:00:00 GMT'])(
		'Retry-After: %s → the first backoff (at least half of baseDelayMs)',
		async (retryAfter) => {
			const queue = answers(retryAfter);
			const infos: Array<{ message: string; meta?: Record<string, unknown> }> = [];
			const log = { info: (message: string, meta?: Record<string, unknown>) => infos.push({ message, meta }), warn: () => undefined, debug: () => undefined };
			const started = Date.now();
			const result = await withRetries(async () => queue.shift()!(), { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100 }, {
				idempotent: true,
				log: { to: log as never, service: 'the API', request: 'GET /x' },
			});
			expect(result).toMatchObject({ attempts: 2, rateLimited: 1, outcome: { statusCode: 200 } });
			expect(infos).toHaveLength(1);
			expect(infos[0].message).toMatch(/^429 from the API \(GET \/x\): waiting \d+ ms as backoff says/);
			expect(infos[0].meta?.waitMs).toBeGreaterThanOrEqual(50);
			expect(infos[0].meta?.waitMs).toBeLessThanOrEqual(100);
			expect(Date.now() - started).toBeGreaterThanOrEqual(45);
		},
	);

	test('a usable Retry-After is still what is waited', async () => {
		const queue = answers('1');
		const waits: unknown[] = [];
		const log = { info: (_: string, meta?: Record<string, unknown>) => waits.push(meta?.waitMs), warn: () => undefined, debug: () => undefined };
		await withRetries(async () => queue.shift()!(), DEFAULT_RETRY_POLICY, { idempotent: true, log: { to: log as never, service: 'the API', request: 'GET /x' } });
		expect(waits).toEqual([1000]);
	});
});

describe('ActivatePro through the engine: 429 with Retry-After: -5', () => {
	const sandbox = sandboxPerFile(() => startActivatePro({ processingDelayMs: 10 }));

	test('is retried after the backoff (> 0 ms), not at once, and then succeeds', async () => {
		sandbox.faults.add({ route: 'GET /users/', kind: 'status', status: 429, headers: { 'Retry-After': '-5' }, body: { message: 'slow down' } });
		sandbox.users.set('r-5', { id: 'r-5', email: 'r5@example.com' });
		const r = await runNode({ type: 'n8n-nodes-rankr.activateProUser', parameters: { operation: 'get', userId: 'r-5' }, items: [{}], credentials: apCredentials(sandbox) });
		expect(r.success[0].json.id).toBe('r-5');
		const [first, second] = sandbox.requests('GET /users/');
		expect(second).toBeDefined();
		// The first backoff is 200 to 400 ms (DEFAULT_RETRY_POLICY); before the fix "-5" read as a past date: 0 ms.
		expect(second.at - first.at).toBeGreaterThanOrEqual(150);
		expect(r.logs.map((l) => l.message).join('\n')).toMatch(/429 from ActivatePro .*: waiting \d{3} ms as backoff says/);
	});
});
