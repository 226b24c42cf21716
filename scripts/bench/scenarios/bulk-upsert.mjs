// Benchmark scenario 1 (bulk upsert through ActivatePro User batch vs. the floors and today's way); run by run.mjs.
// Scenario 1: bulk upsert of N profiles through ActivatePro User "batch" (wait for completion), driven
// through n8n-core's WorkflowExecute, side by side with the floor (a plain Node script doing the same
// requests), the helper floor (a minimal node doing them through n8n's request helper, through the same engine)
// and today's way (n8n's HTTP Request node, one PUT /users per item, in real n8n).
// The ActivatePro sandbox runs in its own process with processingDelayMs 0, so the client's cost shows.
// Its rows also give the scaling table (per item) and most of the targets.
import { createRequire } from 'node:module';
import path from 'node:path';

import { benchSandbox, benchWorker, cellRow, installN8n, measure, MINUTE, prepareN8n, ROOT, runNumbers } from '../lib/bench-harness.mjs';
import { fixed, fmtInt, fmtMs, fmtNum, spreadOf, verdict } from '../lib/stats.mjs';

const require = createRequire(import.meta.url);
const API_KEY = 'bench-activatepro-key';
/**
 * Users of one unmeasured run before the measured one, in the same process, for the floor and for ours: n8n is a
 * long-running server, so a nightly sync meets a warm HTTP stack and JIT-compiled code. The warm-up upserts the
 * first users of the measured set, so the sandbox still ends with exactly N. --cold measures a first run instead.
 */
const WARMUP = 1000;
// engine: run by n8n (its executionTime of the node is the wall time), with the node's own window inside it
const VARIANTS = [
	{ id: 'floor', label: 'floor (plain Node)' },
	// the floor any community node can reach: floor.cjs's requests, each through this.helpers.httpRequest
	{ id: 'helperFloor', label: 'floor (n8n request helper)', engine: true },
	{ id: 'ours', label: 'ours (n8n engine)', engine: true },
	{ id: 'oursErrorOutput', label: 'ours + error output', engine: true },
	{ id: 'today', label: "today's way (real n8n)" },
];
const ENGINE = new Set(VARIANTS.filter((v) => v.engine).map((v) => v.id));
const ROUTES = { batches: 'POST /users/batch', polls: 'GET /users/track/:id', puts: 'PUT /users' };

/**
 * The numbers the floor must share with our node, exported by the built node so they never drift: its bulk limits
 * (users per request, requests in flight) and its tracking poll schedule. From dist/, the package the engine runner
 * loads (`npm run bench` builds it first).
 */
export function clientSettings(compiled = path.join(ROOT, 'dist')) {
	const node = path.join(compiled, 'nodes', 'ActivateProUser');
	const { DEFAULT_POLL_SCHEDULE } = require(path.join(node, 'tracking.js'));
	const { MAX_BATCH_SIZE, SEND_CONCURRENCY, POLL_CONCURRENCY } = require(path.join(node, 'actions', 'user', 'bulk', 'limits.js'));
	return {
		schedule: { ...DEFAULT_POLL_SCHEDULE, timeoutMs: 10 * MINUTE },
		batchSize: MAX_BATCH_SIZE,
		sendConcurrency: SEND_CONCURRENCY,
		pollConcurrency: POLL_CONCURRENCY,
	};
}

async function run(ctx) {
	const settings = clientSettings();
	const sizes = ctx.sizes ?? (ctx.quick ? [1000, 5000] : [1000, 10_000, 100_000]);
	const todaySizes = ctx.noN8n ? [] : (ctx.quick ? [1000] : [1000, 10_000]).filter((n) => sizes.includes(n));
	const warmup = ctx.cold ? 0 : WARMUP;
	const sandbox = await benchSandbox('activatepro', { apiKey: API_KEY, processingDelayMs: 0 });
	const info = { settings, sandboxUrl: sandbox.url, warmupUsers: warmup };
	const cells = new Map(); // `${variant}|${n}` -> { runs, errors, failedRuns }
	let n8n;
	try {
		if (todaySizes.length) {
			try {
				ctx.log('  preparing real n8n (install check, import of the workflows)…');
				const runtime = await installN8n();
				info.n8n = { version: runtime.n8nVersion, node: runtime.nodeVersion };
				n8n = await prepareN8n(runtime, { url: sandbox.url, apiKey: API_KEY, sizes: todaySizes });
				info.n8n.importMs = n8n.importMs;
			} catch (error) {
				for (const n of todaySizes) cells.set(`today|${n}`, { runs: [], errors: [`n8n could not be prepared: ${error.message}`], failedRuns: [] });
			}
		}
		// the worker's warm-up done, the sandbox forgets its requests: the counts hold the measured run's only
		const worker = (script, job, minutes) => (n) =>
			benchWorker(script, { ...job, n, url: sandbox.url, apiKey: API_KEY, warmup }, { timeoutMs: minutes * MINUTE, onWarm: () => sandbox.call('resetCounts') });
		const runOf = {
			floor: worker('floor.cjs', settings, 10),
			helperFloor: worker('engine-worker.cjs', { scenario: 'helperFloor', ...settings }, 15),
			ours: worker('engine-worker.cjs', { scenario: 'bulkUpsert', timeoutS: 600 }, 15),
			oursErrorOutput: worker('engine-worker.cjs', { scenario: 'bulkUpsert', timeoutS: 600, onError: 'continueErrorOutput' }, 15),
			today: (n) => n8n.execute(n),
		};
		const measured = (v, n) => (v.id === 'today' ? n8n && todaySizes.includes(n) : true);
		const steps = sizes.flatMap((n) =>
			runNumbers(ctx.runs).flatMap((r) =>
				VARIANTS.filter((v) => measured(v, n)).map((v) => ({
					cell: `${v.id}|${n}`,
					say: `N=${fmtInt(n)} run ${r}/${ctx.runs} ${v.label}`,
					run: async () => {
						await sandbox.call('reset');
						const result = await runOf[v.id](n);
						const counts = await sandbox.call('counts');
						if (result.failedInN8n) return { failed: `${result.failedInN8n} (the sandbox saw ${counts.total} requests)` };
						if (counts.users !== n) throw new Error(`the sandbox holds ${counts.users} users after the run, not ${n}`);
						if (!result.ok) throw new Error(`only ${result.processed}/${n} items processed; first error: ${JSON.stringify(result.firstError ?? '')}`);
						return { ...result, requests: counts };
					},
				})),
			),
		);
		await measure(ctx.log, steps, cells);
	} finally {
		n8n?.close();
		await sandbox.close();
	}
	const rows = buildRows(cells, sizes, ctx, info);
	info.scaling = scaling(rows);
	return { rows, info };
}

function buildRows(cells, sizes, ctx, info) {
	// the time a user sees: n8n's executionTime for a node run by n8n, the script's own time for the floor
	const wall = (variant, r) => (ENGINE.has(variant) ? r.n8nExecutionTimeMs : r.nodeMs);
	return sizes.flatMap((n) => {
		const median = (variant) => spreadOf(cells.get(`${variant}|${n}`)?.runs ?? [], (r) => wall(variant, r))?.median;
		const [floor, helperFloor, today] = [median('floor'), median('helperFloor'), median('today')];
		return VARIANTS.filter((v) => cells.has(`${v.id}|${n}`)).map((v) => {
			const cell = cells.get(`${v.id}|${n}`);
			const runs = cell.runs;
			const wallMs = spreadOf(runs, (r) => wall(v.id, r));
			const route = (r, name) => r.requests.byRoute[name] ?? 0;
			const requests = Object.fromEntries(Object.entries(ROUTES).map(([key, name]) => [key, spreadOf(runs, (r) => route(r, name))]));
			return {
				scenario: 'bulk-upsert',
				variant: v.id,
				label: v.label,
				n,
				...cellRow(cell, ctx),
				wallMs,
				ownMs: ENGINE.has(v.id) ? spreadOf(runs, (r) => r.nodeMs) : undefined,
				processMs: v.id === 'today' ? spreadOf(runs, (r) => r.processMs) : undefined,
				requests: {
					total: spreadOf(runs, (r) => r.requests.total),
					...requests,
					other: spreadOf(runs, (r) => r.requests.total - Object.values(ROUTES).reduce((a, name) => a + route(r, name), 0)),
					bodyBytes: spreadOf(runs, (r) => r.requests.bodyBytes),
				},
				ratioToFloor: wallMs && floor ? wallMs.median / floor : undefined,
				ratioToHelperFloor: wallMs && helperFloor ? wallMs.median / helperFloor : undefined,
				ratioToToday: wallMs && today ? wallMs.median / today : undefined,
				node: v.id !== 'today' ? process.version : info.n8n ? `${info.n8n.node} (n8n ${info.n8n.version})` : 'n8n’s Node',
			};
		});
	});
}

const perItem = (s, scale, n) => s && { median: (s.median * scale) / n, min: (s.min * scale) / n, max: (s.max * scale) / n, runs: s.runs };
/** The scaling rows' numbers and table columns: [key, title, digits, value(row(variant), n)], per item (µs from ms, KB from MB). */
const PER_ITEM = [
	['cpuUsPerItem', 'CPU µs/item (ours)', 1, (row, n) => perItem(row('ours').cpuMs, 1000, n)],
	['floorCpuUsPerItem', 'CPU µs/item (floor)', 1, (row, n) => perItem(row('floor')?.cpuMs, 1000, n)],
	['wallUsPerItem', 'wall µs/item', 1, (row, n) => perItem(row('ours').wallMs, 1000, n)],
	['overheadUsPerItem', 'wall over floor µs/item', 1, (row, n) => row('floor')?.wallMs && { median: ((row('ours').wallMs.median - row('floor').wallMs.median) * 1000) / n, runs: 1 }],
	['rssKbPerItem', 'Δ RSS KB/item', 2, (row, n) => perItem(row('ours').rssDeltaMb, 1024, n)],
	['heapKbPerItem', 'Δ heap KB/item', 2, (row, n) => perItem(row('ours').heapDeltaMb, 1024, n)],
	['floorRssKbPerItem', 'floor Δ RSS KB/item', 2, (row, n) => perItem(row('floor')?.rssDeltaMb, 1024, n)],
];

/** The scaling rows: for each N that ours ran at, our code's cost per item (and the floor's). */
function scaling(rows) {
	const ns = [...new Set(rows.filter((r) => r.variant === 'ours' && r.runs).map((r) => r.n))].sort((a, b) => a - b);
	return ns.map((n) => {
		const row = (variant) => rows.find((r) => r.n === n && r.variant === variant);
		return { scenario: 'scaling', n, ...Object.fromEntries(PER_ITEM.map(([key, , , value]) => [key, value(row, n)])), cores: row('ours').cores, node: row('ours').node };
	});
}

function targets(rows, info, options) {
	const out = [];
	const add = (name, status, detail) => out.push({ name, status, detail });
	const bulk = rows.filter((r) => r.scenario === 'bulk-upsert' && r.runs > 0);
	const row = (variant, n) => bulk.find((r) => r.variant === variant && r.n === n);
	const sizes = [...new Set(bulk.map((r) => r.n))].sort((a, b) => a - b);
	if (sizes.length) {
		const fewest = (n) => {
			const [ours, floor] = [row('ours', n), row('floor', n)];
			return !ours || (ours.requests.batches.max === Math.ceil(n / 1000) && !(floor && ours.requests.total.median > floor.requests.total.median));
		};
		const requests = (n) => `N=${fmtInt(n)}: ${fmtInt(row('ours', n)?.requests.batches.median)} batches + ${fmtInt(row('ours', n)?.requests.polls.median)} polls (floor ${fmtInt(row('floor', n)?.requests.total.median)})`;
		add('requests = ceil(N/1000) batches + tracking polls (no more than the floor)', sizes.every(fewest) ? 'met' : 'missed', sizes.map(requests).join('; '));
		// the wall time at the largest N; the target is at 100,000, so a smaller largest N says n/a
		const n = sizes.at(-1);
		const at100k = (ratio) => (n < 100_000 ? 'n/a' : verdict(ratio, (v) => v <= 1.25));
		const [ours, withOut] = [row('ours', n), row('oursErrorOutput', n)];
		const ratio = ours?.ratioToFloor;
		const detail = `N=${fmtInt(n)}: ${ratio?.toFixed(2)}× (ours ${fmtMs(ours?.wallMs)}, floor ${fmtMs(row('floor', n)?.wallMs)})${n < 100_000 ? ' — not at 100,000' : ''}`;
		add('wall time ≤ 1.25× the floor at N=100,000', at100k(ratio), ratio === undefined ? 'no measurement' : detail);
		if (withOut?.ratioToFloor !== undefined) {
			add('  same, with the error output on (as examples/bulk-sync.json)', at100k(withOut.ratioToFloor), `N=${fmtInt(n)}: ${withOut.ratioToFloor.toFixed(2)}× (${fmtMs(withOut.wallMs)})`);
		}
		// over the helper floor (the same engine, a node that only sends through n8n's request helper): what our
		// node's own code costs inside n8n, at a size where fixed costs no longer dominate, and at the largest
		for (const at of [10_000, 100_000]) {
			const [mine, helper] = [row('ours', at), row('helperFloor', at)];
			const value = mine?.ratioToHelperFloor;
			const missing = sizes.includes(at) ? 'no measurement' : `N=${fmtInt(at)} not measured`;
			add(`ours ÷ helper floor at N=${fmtInt(at)} ≤ 1.25× (n8n's request helper in a bare loop)`, verdict(value, (v) => v <= 1.25), value === undefined ? missing : `${value.toFixed(2)}× (ours ${fmtMs(mine.wallMs)}, helper floor ${fmtMs(helper.wallMs)}, plain floor ${fmtMs(row('floor', at)?.wallMs)})`);
		}
	}
	// Below 10,000 items fixed costs (engine start, first connection) dominate the per-item numbers.
	// Flat = does not grow with N: per item at each larger N at most 1.25× the smaller N's (falling per-item
	// cost is fixed costs being spread, not a problem).
	const scale = info?.scaling ?? [];
	const pool = scale.filter((s) => s.n >= 10_000);
	const flat = (key) => {
		const values = pool.map((s) => s[key]?.median).filter((v) => v > 0);
		return verdict(values.length >= 2 ? Math.max(...values.slice(1).map((v, i) => v / values[i])) : undefined, (growth) => growth <= 1.25);
	};
	const perN = (key, digits, unit) => scale.map((s) => `N=${fmtInt(s.n)}: ${fmtNum(s[key], digits)} ${unit}`).join('; ') + (pool.length < 2 ? ' — needs two sizes ≥ 10,000' : '');
	if (scale.length) {
		add('memory grows linearly (RSS growth per item ≤ 1.25× from one N to the next, N ≥ 10,000)', flat('rssKbPerItem'), perN('rssKbPerItem', 2, 'KB/item'));
		add('per-item cost of our code flat (CPU per item does not grow: ≤ 1.25× from one N to the next, N ≥ 10,000)', flat('cpuUsPerItem'), perN('cpuUsPerItem', 1, 'µs/item'));
	}
	const vsToday = row('ours', 10_000);
	const faster = vsToday?.ratioToToday && 1 / vsToday.ratioToToday;
	const measured = `${faster?.toFixed(1)}× faster (ours ${fmtMs(vsToday?.wallMs)}, HTTP Request node ${fmtMs(row('today', 10_000)?.wallMs)})`;
	add("≥ 20× faster than today's way at N=10,000", verdict(faster, (x) => x >= 20), faster === undefined ? (options.quick ? 'not measured in --quick' : 'no measurement') : measured);
	return out;
}

const ratio = (r, variant, value) => (r.variant === variant ? '1.00×' : fixed(value, 2, '×'));
const requests = (r) => {
	if (!r.runs) return '–';
	if (r.variant === 'today') return `${fmtInt(r.requests.puts.median)} PUT`;
	const extra = r.requests.other.median ? ` + ${fmtInt(r.requests.other.median)} other` : '';
	return `${fmtInt(r.requests.batches.median)} batch + ${fmtInt(r.requests.polls.median)} poll${extra}`;
};

const tables = [
	{
		no: 1,
		title: 'Bulk upsert (ActivatePro sandbox in its own process, processingDelayMs 0)',
		rows: (rows) => rows.filter((r) => r.scenario === 'bulk-upsert'),
		columns: [
			['N', (r) => fmtInt(r.n)],
			['<variant', (r) => r.label],
			['<requests', requests],
			['wall: median (min–max)', (r) => fmtMs(r.wallMs)],
			['of which in execute()', (r) => (r.ownMs ? fmtMs(r.ownMs) : '')],
			['÷ floor', (r) => ratio(r, 'floor', r.ratioToFloor)],
			['÷ helper floor', (r) => ratio(r, 'helperFloor', r.ratioToHelperFloor)],
			['÷ today', (r) => ratio(r, 'today', r.ratioToToday)],
			['peak RSS MB', (r) => fmtNum(r.rssPeakMb, 0)],
			['Δ RSS MB', (r) => (r.variant === 'today' ? '(process)' : fmtNum(r.rssDeltaMb, 1))],
			['CPU ms', (r) => fmtNum(r.cpuMs, 0)],
			['<status', (r) => (r.ok ? 'ok' : r.runs ? `ERROR in ${r.errors.length} run(s)` : 'ERROR') + (r.failedRuns?.length ? `, ${r.failedRuns.length} run(s) failed in n8n` : '')],
		],
		notes: (bulk) => [
			...bulk.filter((r) => r.failedRuns?.length).map((r) => `N=${fmtInt(r.n)} ${r.label}: ${r.failedRuns.length} of ${r.failedRuns.length + r.runs} runs failed in n8n (not counted): ${[...new Set(r.failedRuns)].join('; ')}`),
			"wall = n8n's executionTime of the node (ours, helper floor, today's way), the script's own time (floor); today's way is the HTTP Request node in real n8n,",
			'its peak RSS is that of the whole n8n process; Δ RSS = peak during the node − RSS just before it (input items already built).',
			"helper floor = a minimal node doing the floor's requests through n8n's this.helpers.httpRequest, run through the engine like ours:",
			'the floor any community node can reach; ÷ helper floor is what our node adds over it.',
		],
	},
	{
		no: 3,
		title: 'Scaling: per-item cost of our own code (bulk upsert, ours through the engine)',
		rows: (rows, info) => info.bulk?.scaling ?? [],
		columns: [['N', (s) => fmtInt(s.n)], ...PER_ITEM.map(([key, title, digits]) => [title, (s) => fmtNum(s[key], digits)])],
	},
];

export const bulkUpsert = {
	id: 'bulk',
	title: 'Bulk upsert: ActivatePro User batch (wait for completion) vs the floor vs one HTTP Request per item',
	run,
	tables,
	targets: (rows, info, ctx) => targets(rows, info.bulk, ctx),
};
