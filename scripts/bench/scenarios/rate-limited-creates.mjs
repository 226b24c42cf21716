// Scenario 2: N Email API user creates (resource user, operation create) through the n8n engine, against
// the Email API sandbox in its own process with its rate limit scaled from 100 per 10 s to 100 per second.
// Floor = N / limit: no client can do better without 429s. Reported: wall time / floor and the 429s.
import { benchSandbox, benchWorker } from '../lib/n8n.mjs';
import { spread } from '../lib/stats.mjs';

const TOKEN = 'bench-email-api-token';
const MINUTE = 60_000;

export const rateLimitedCreates = {
	id: 'creates',
	title: 'Rate-limited creates: Email API user create, sandbox limit 100 requests per second',
	async run(ctx) {
		const n = ctx.createsN ?? (ctx.quick ? 200 : 1000);
		const limit = { max: 100, intervalMs: 1000 };
		const floorMs = (n / limit.max) * limit.intervalMs;
		const sandbox = await benchSandbox('emailapi', { apiKey: TOKEN, rateLimit: limit });
		const runs = [];
		const errors = [];
		try {
			for (let r = 1; r <= ctx.runs; r++) {
				ctx.log(`  N=${n.toLocaleString('en-US')} run ${r}/${ctx.runs} ours (n8n engine)…`);
				try {
					await sandbox.call('reset');
					await sandbox.call('setRateLimit', limit);
					const result = await benchWorker(
						'engine-worker.cjs',
						{ scenario: 'creates', n, url: sandbox.url, token: TOKEN, locationId: sandbox.info.locationId, companyId: sandbox.info.companyId },
						{ execArgv: ['--expose-gc'], timeoutMs: 10 * MINUTE },
					);
					const counts = await sandbox.call('counts');
					if (!result.ok) throw new Error(`only ${result.processed}/${n} users created; first error: ${JSON.stringify(result.firstError ?? '')}`);
					runs.push({ ...result, requests: counts });
				} catch (error) {
					errors.push(error.message.split('\n').slice(0, 6).join('\n'));
					ctx.log(`    FAILED: ${error.message.split('\n')[0]}`);
				}
			}
		} finally {
			await sandbox.close();
		}
		const wallMs = spread(runs.map((r) => r.n8nExecutionTimeMs));
		return {
			rows: [
				{
					scenario: 'rate-limited-creates',
					variant: 'ours',
					label: 'ours (n8n engine)',
					n,
					ok: errors.length === 0 && runs.length > 0,
					runs: runs.length,
					errors,
					limit,
					floorMs,
					wallMs,
					ownMs: spread(runs.map((r) => r.nodeMs)),
					ratioToFloor: wallMs ? wallMs.median / floorMs : undefined,
					rateLimited: spread(runs.map((r) => r.requests.byStatus['429'] ?? 0)),
					requests: { total: spread(runs.map((r) => r.requests.total)) },
					cpuMs: spread(runs.map((r) => r.cpuUserMs + r.cpuSystemMs)),
					rssPeakMb: spread(runs.map((r) => r.rssPeakNodeMb)),
					rssDeltaMb: spread(runs.map((r) => r.rssPeakNodeMb - r.rssBeforeNodeMb)),
					cores: ctx.machine.cores,
					node: process.version,
					raw: runs,
				},
			],
			info: { limit, floorMs },
		};
	},
};
