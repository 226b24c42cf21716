// Scenario 1: bulk upsert of N profiles through ActivatePro User "batch" (wait for completion), driven
// through n8n-core's WorkflowExecute, side by side with the floor (a plain Node script doing the same
// requests) and today's way (n8n's HTTP Request node, one PUT /users per item, in real n8n).
// The ActivatePro sandbox runs in its own process with processingDelayMs 0, so the client's cost shows.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { benchSandbox, benchWorker, installN8n, prepareN8n, ROOT } from '../lib/n8n.mjs';
import { spread } from '../lib/stats.mjs';

const require = createRequire(import.meta.url);
const API_KEY = 'bench-activatepro-key';
const MINUTE = 60_000;
/**
 * Users of one unmeasured run before the measured one, in the same process, for the floor and for ours: n8n is a
 * long-running server, so a nightly sync meets a warm HTTP stack and JIT-compiled code. The warm-up upserts the
 * first users of the measured set, so the sandbox still ends with exactly N. --cold measures a first run instead.
 */
const WARMUP = 1000;

/** The numbers the floor must share with our node, read from the compiled code so they never drift. */
function clientSettings() {
	const build = path.join(ROOT, '.bench', 'build', 'nodes');
	const { DEFAULT_POLL_SCHEDULE } = require(path.join(build, 'shared', 'tracking.js'));
	const batchJs = fs.readFileSync(path.join(build, 'ActivateProUser', 'actions', 'user', 'batch.js'), 'utf8');
	const trackingJs = fs.readFileSync(path.join(build, 'shared', 'tracking.js'), 'utf8');
	const pick = (text, re, fallback, what) => {
		const m = re.exec(text);
		if (!m) console.warn(`bench: could not read ${what} from the compiled code; using ${fallback}`);
		return m ? Number(m[1]) : fallback;
	};
	return {
		schedule: { ...DEFAULT_POLL_SCHEDULE, timeoutMs: 10 * MINUTE },
		batchSize: pick(batchJs, /MAX_BATCH_SIZE = (\d+)/, 1000, 'MAX_BATCH_SIZE'),
		sendConcurrency: pick(batchJs, /SEND_CONCURRENCY = (\d+)/, 4, 'SEND_CONCURRENCY'),
		pollConcurrency: pick(trackingJs, /function pollUntilDone\([^)]*concurrency = (\d+)/, 8, "pollUntilDone's concurrency"),
	};
}

export const bulkUpsert = {
	id: 'bulk',
	title: 'Bulk upsert: ActivatePro User batch (wait for completion) vs the floor vs one HTTP Request per item',
	async run(ctx) {
		const settings = clientSettings();
		const sizes = ctx.sizes ?? (ctx.quick ? [1000, 5000] : [1000, 10_000, 100_000]);
		const todaySizes = ctx.noN8n ? [] : (ctx.quick ? [1000] : [1000, 10_000]).filter((n) => sizes.includes(n));
		const variants = [
			{ id: 'floor', label: 'floor (plain Node)', sizes },
			{ id: 'ours', label: 'ours (n8n engine)', sizes },
			{ id: 'oursErrorOutput', label: 'ours + error output', sizes },
			{ id: 'today', label: "today's way (real n8n)", sizes: todaySizes },
		];

		const warmup = ctx.cold ? 0 : WARMUP;
		const sandbox = await benchSandbox('activatepro', { apiKey: API_KEY, processingDelayMs: 0 });
		const raw = new Map(); // `${variant}|${n}` -> {runs: [], errors: []}
		const slot = (variant, n) => {
			const key = `${variant}|${n}`;
			// errors: the benchmark could not measure (a crash); failedRuns: today's way failed on its own
			if (!raw.has(key)) raw.set(key, { runs: [], errors: [], failedRuns: [] });
			return raw.get(key);
		};
		let n8n;
		const info = { settings, sandboxUrl: sandbox.url, warmupUsers: warmup };
		// the counts then hold the measured run's requests only
		const onWarm = () => sandbox.call('resetCounts');
		try {
			if (todaySizes.length) {
				try {
					ctx.log('  preparing real n8n (install check, import of the workflows)…');
					const runtime = await installN8n();
					info.n8n = { version: runtime.n8nVersion, node: runtime.nodeVersion };
					n8n = await prepareN8n(runtime, { url: sandbox.url, apiKey: API_KEY, sizes: todaySizes });
					info.n8n.importMs = n8n.importMs;
				} catch (error) {
					for (const n of todaySizes) slot('today', n).errors.push(`n8n could not be prepared: ${error.message}`);
				}
			}
			const runOne = {
				floor: (n) =>
					benchWorker('floor.cjs', { n, url: sandbox.url, apiKey: API_KEY, ...settings, warmup }, { execArgv: ['--expose-gc'], timeoutMs: 10 * MINUTE, onWarm }),
				ours: (n) => benchWorker('engine-worker.cjs', { scenario: 'bulkUpsert', n, url: sandbox.url, apiKey: API_KEY, timeoutS: 600, warmup }, { execArgv: ['--expose-gc'], timeoutMs: 15 * MINUTE, onWarm }),
				oursErrorOutput: (n) =>
					benchWorker(
						'engine-worker.cjs',
						{ scenario: 'bulkUpsert', n, url: sandbox.url, apiKey: API_KEY, timeoutS: 600, onError: 'continueErrorOutput', warmup },
						{ execArgv: ['--expose-gc'], timeoutMs: 15 * MINUTE, onWarm },
					),
				today: (n) => n8n.execute(n),
			};

			for (const n of sizes) {
				for (let r = 1; r <= ctx.runs; r++) {
					for (const variant of variants) {
						if (!variant.sizes.includes(n)) continue;
						const s = slot(variant.id, n);
						if (variant.id === 'today' && !n8n) continue;
						ctx.log(`  N=${n.toLocaleString('en-US')} run ${r}/${ctx.runs} ${variant.label}…`);
						try {
							await sandbox.call('reset');
							const result = await runOne[variant.id](n);
							const counts = await sandbox.call('counts');
							if (result.failedInN8n) {
								s.failedRuns.push(`${result.failedInN8n} (the sandbox saw ${counts.total} requests)`);
								ctx.log(`    today's way failed in n8n: ${result.failedInN8n}`);
								continue;
							}
							if (counts.users !== n) throw new Error(`the sandbox holds ${counts.users} users after the run, not ${n}`);
							if (!result.ok) throw new Error(`only ${result.processed}/${n} items processed; first error: ${JSON.stringify(result.firstError ?? '')}`);
							s.runs.push({ ...result, requests: counts });
						} catch (error) {
							s.errors.push(error.message.split('\n').slice(0, 6).join('\n'));
							ctx.log(`    FAILED: ${error.message.split('\n')[0]}`);
						}
					}
				}
			}

			if (ctx.profile) {
				const n = Math.max(...sizes);
				ctx.log(`  N=${n.toLocaleString('en-US')} profiling ours (--cpu-prof)…`);
				const dir = path.join(ROOT, '.bench', 'profiles');
				fs.mkdirSync(dir, { recursive: true });
				const before = new Set(fs.readdirSync(dir));
				await sandbox.call('reset');
				const result = await benchWorker(
					'engine-worker.cjs',
					{ scenario: 'bulkUpsert', n, url: sandbox.url, apiKey: API_KEY, timeoutS: 600, warmup },
					{ execArgv: ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=500'], timeoutMs: 15 * MINUTE, onWarm },
				);
				const file = fs.readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.cpuprofile'));
				info.profile = file ? { file: path.join(dir, file), n, windowHrUs: result.windowHrUs, nodeMs: result.nodeMs } : undefined;
			}
		} finally {
			n8n?.close();
			await sandbox.close();
		}
		return { rows: buildRows(raw, variants, sizes, ctx), info };
	},
};

function buildRows(raw, variants, sizes, ctx) {
	const rows = [];
	const get = (variant, n) => raw.get(`${variant}|${n}`);
	// the time a user sees: n8n's executionTime for a node run by n8n, the script's own time for the floor
	const wall = (variant, r) => (variant === 'ours' || variant === 'oursErrorOutput' ? r.n8nExecutionTimeMs : r.nodeMs);
	for (const n of sizes) {
		const floor = spread((get('floor', n)?.runs ?? []).map((r) => r.nodeMs));
		const today = spread((get('today', n)?.runs ?? []).map((r) => r.nodeMs));
		for (const variant of variants) {
			const s = get(variant.id, n);
			if (!s) continue;
			const runs = s.runs;
			const wallMs = spread(runs.map((r) => wall(variant.id, r)));
			const byRoute = (key) => spread(runs.map((r) => r.requests.byRoute[key] ?? 0));
			rows.push({
				scenario: 'bulk-upsert',
				variant: variant.id,
				label: variant.label,
				n,
				ok: s.errors.length === 0 && runs.length > 0,
				runs: runs.length,
				errors: s.errors,
				failedRuns: s.failedRuns,
				wallMs,
				ownMs: variant.id.startsWith('ours') ? spread(runs.map((r) => r.nodeMs)) : undefined,
				processMs: variant.id === 'today' ? spread(runs.map((r) => r.processMs)) : undefined,
				requests: {
					total: spread(runs.map((r) => r.requests.total)),
					batches: byRoute('POST /users/batch'),
					polls: byRoute('GET /users/track/:id'),
					puts: byRoute('PUT /users'),
					other: spread(runs.map((r) => r.requests.total - ['POST /users/batch', 'GET /users/track/:id', 'PUT /users'].reduce((a, k) => a + (r.requests.byRoute[k] ?? 0), 0))),
					bodyBytes: spread(runs.map((r) => r.requests.bodyBytes)),
				},
				expectedBatches: Math.ceil(n / 1000),
				cpuMs: spread(runs.map((r) => (r.cpuUserMs ?? NaN) + (r.cpuSystemMs ?? NaN))),
				rssPeakMb: spread(runs.map((r) => r.rssPeakNodeMb ?? r.rssPeakProcessMb)),
				rssDeltaMb: spread(runs.map((r) => (r.rssPeakNodeMb !== undefined ? r.rssPeakNodeMb - r.rssBeforeNodeMb : NaN))),
				heapDeltaMb: spread(runs.map((r) => (r.heapPeakNodeMb !== undefined ? r.heapPeakNodeMb - r.heapBeforeNodeMb : NaN))),
				ratioToFloor: wallMs && floor ? wallMs.median / floor.median : undefined,
				ratioToToday: wallMs && today ? wallMs.median / today.median : undefined,
				cores: ctx.machine.cores,
				node: variant.id === 'today' ? ctx.n8nNode ?? 'n8n’s Node' : process.version,
				raw: runs,
			});
		}
	}
	return rows;
}
