// Benchmark scenario 2 (Email API user creates against a rate-limited sandbox, over the floor); run by run.mjs.
// Scenario 2: N Email API user creates (resource user, operation create) through the n8n engine, against
// the Email API sandbox in its own process with its rate limit scaled from 100 per 10 s to 100 per second.
// Floor = N / limit: no client can do better without 429s. Reported: wall time / floor and the 429s.
import { benchSandbox, benchWorker, cellRow, measure, MINUTE, runNumbers } from '../lib/bench-harness.mjs';
import { fixed, fmtInt, fmtMs, fmtNum, spreadOf } from '../lib/stats.mjs';

const TOKEN = 'bench-email-api-token';

async function run(ctx) {
	const n = ctx.createsN ?? (ctx.quick ? 200 : 1000);
	const limit = { max: 100, intervalMs: 1000 };
	const floorMs = (n / limit.max) * limit.intervalMs;
	const sandbox = await benchSandbox('emailapi', { apiKey: TOKEN, rateLimit: limit });
	const job = { scenario: 'creates', n, url: sandbox.url, token: TOKEN, locationId: sandbox.info.locationId, companyId: sandbox.info.companyId };
	let cells;
	try {
		const steps = runNumbers(ctx.runs).map((r) => ({
			cell: 'ours',
			say: `N=${fmtInt(n)} run ${r}/${ctx.runs} ours (n8n engine)`,
			run: async () => {
				await sandbox.call('reset');
				await sandbox.call('setRateLimit', limit);
				const result = await benchWorker('engine-worker.cjs', job, { timeoutMs: 10 * MINUTE });
				const counts = await sandbox.call('counts');
				if (!result.ok) throw new Error(`only ${result.processed}/${n} users created; first error: ${JSON.stringify(result.firstError ?? '')}`);
				return { ...result, requests: counts };
			},
		}));
		cells = await measure(ctx.log, steps);
	} finally {
		await sandbox.close();
	}
	const cell = cells.get('ours');
	const runs = cell?.runs ?? [];
	const wallMs = spreadOf(runs, (r) => r.n8nExecutionTimeMs);
	const row = {
		scenario: 'rate-limited-creates',
		variant: 'ours',
		label: 'ours (n8n engine)',
		n,
		...cellRow(cell, ctx),
		limit,
		floorMs,
		wallMs,
		ownMs: spreadOf(runs, (r) => r.nodeMs),
		ratioToFloor: wallMs ? wallMs.median / floorMs : undefined,
		rateLimited: spreadOf(runs, (r) => r.requests.byStatus['429'] ?? 0),
		requests: { total: spreadOf(runs, (r) => r.requests.total) },
		node: process.version,
	};
	return { rows: [row], info: { limit, floorMs } };
}

export const rateLimitedCreates = {
	id: 'creates',
	title: 'Rate-limited creates: Email API user create, sandbox limit 100 requests per second',
	run,
	tables: [
		{
			no: 2,
			title: 'Rate-limited creates (Email API sandbox in its own process)',
			rows: (rows) => rows.filter((r) => r.scenario === 'rate-limited-creates'),
			columns: [
				['N', (r) => fmtInt(r.n)],
				['<limit', (r) => `${r.limit.max} per ${r.limit.intervalMs} ms`],
				['floor (N / limit)', (r) => fmtMs({ median: r.floorMs, runs: 1 })],
				['wall: median (min–max)', (r) => fmtMs(r.wallMs)],
				['÷ floor', (r) => fixed(r.ratioToFloor, 3, '×')],
				['429s', (r) => fmtNum(r.rateLimited, 0)],
				['requests', (r) => fmtNum(r.requests.total, 0)],
				['peak RSS MB', (r) => fmtNum(r.rssPeakMb, 0)],
				['<status', (r) => (r.ok ? 'ok' : 'ERROR')],
			],
		},
	],
	targets(rows) {
		const creates = rows.find((r) => r.scenario === 'rate-limited-creates' && r.runs > 0);
		if (!creates) return [];
		return [
			{
				name: 'rate-limited creates within 1.1× of N / limit, zero 429s',
				status: creates.ratioToFloor <= 1.1 && creates.rateLimited.max === 0 ? 'met' : 'missed',
				detail: `N=${fmtInt(creates.n)}: ${creates.ratioToFloor.toFixed(3)}× of ${fmtMs({ median: creates.floorMs, runs: 1 })}, ${fmtInt(creates.rateLimited.max)} × 429 at most`,
			},
		];
	},
};
