// The benchmark's harness on scripts/lib (workers, sandbox children, measuring); for run.mjs, scale.mjs, scenarios/.
// The benchmark on the harness (scripts/lib): its workers and sandbox children, the one measurement loop of
// every scenario, and "today's way" (n8n's HTTP Request node, one PUT /users per item, run headless with
// `n8n execute`).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { executionResult, freePort, installN8n, logLines, n8nEnvironment, ROOT } from '../../lib/n8n.mjs';
import { run, runWorker, startServer, temporaryFolder } from '../../lib/proc.mjs';
import { spreadOf } from './stats.mjs';
import { profile } from './worker.cjs';

export { installN8n, ROOT };
export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MINUTE = 60_000;

/** A benchmark worker (engine-worker.cjs, floor.cjs) in its own process, with Node flags from $BENCH_WORKER_ARGS (e.g. --cpu-prof); resolves with its answer. */
const WORKER_ARGS = ['--expose-gc', ...(process.env.BENCH_WORKER_ARGS ?? '').split(' ').filter(Boolean)];
export const benchWorker = (script, job, options) => runWorker(path.join(BENCH_DIR, script), job, { execArgv: WORKER_ARGS, ...options });
/** A sandbox (sandbox-child.cjs) in its own process: { url, pid, info, call(cmd, args), close() }. */
export const benchSandbox = (kind, options = {}) => startServer(path.join(BENCH_DIR, 'sandbox-child.cjs'), { kind, options });
/** 1, 2, … n: the run numbers. */
export const runNumbers = (n) => Array.from({ length: n }, (_, i) => i + 1);

/**
 * The measurement loop of every scenario. Runs the steps in order (a scenario lists them with its variants
 * interleaved run by run), each { cell, say, run() } one measured run of a cell: run() resolves with the run's
 * numbers, or with { failed } (today's way failed in n8n on its own: reported, not counted, not a crash of the
 * benchmark), or throws (the benchmark could not measure: an error). Returns cells: key -> { runs, errors, failedRuns }.
 */
export async function measure(log, steps, cells = new Map()) {
	for (const { cell, say, run: runOnce } of steps) {
		if (!cells.has(cell)) cells.set(cell, { runs: [], errors: [], failedRuns: [] });
		const into = cells.get(cell);
		log(`  ${say}…`);
		try {
			const result = await runOnce();
			if (result.failed) log(`    failed in n8n: ${result.failed}`);
			(result.failed ? into.failedRuns : into.runs).push(result.failed ?? result);
		} catch (error) {
			const message = String(error?.message ?? error);
			into.errors.push(message.split('\n').slice(0, 6).join('\n'));
			log(`    FAILED: ${message.split('\n')[0]}`);
		}
	}
	return cells;
}

/**
 * What every row of a cell says: whether it is good, how many runs, the errors, every run's raw numbers, and
 * the spreads of what a worker measures in the node's window (CPU, RSS and heap growth; today's way: its n8n
 * process's peak RSS only).
 */
export function cellRow(cell, ctx) {
	const { runs, errors, failedRuns } = cell ?? { runs: [], errors: [] };
	return {
		ok: errors.length === 0 && runs.length > 0,
		runs: runs.length,
		errors,
		failedRuns,
		cpuMs: spreadOf(runs, (r) => r.cpuUserMs + r.cpuSystemMs),
		rssPeakMb: spreadOf(runs, (r) => r.rssPeakNodeMb ?? r.rssPeakProcessMb),
		rssDeltaMb: spreadOf(runs, (r) => r.rssPeakNodeMb - r.rssBeforeNodeMb),
		heapDeltaMb: spreadOf(runs, (r) => r.heapPeakNodeMb - r.heapBeforeNodeMb),
		cores: ctx.machine.cores,
		raw: runs,
	};
}

const todayId = (n) => `benchTodayPut${n}`;

/** The workflow of today's way for n profiles, against the sandbox at url. */
export function todayWorkflow(n, url, apiKey) {
	const id = todayId(n);
	const node = (name, type, typeVersion, x, parameters) => ({ id: `${id}-${x}`, name, type, typeVersion, position: [x, 0], parameters });
	const headers = [
		{ name: 'X-XNG-AuthToken', value: apiKey },
		{ name: 'X-XNG-ApiVersion', value: '2' },
	];
	return {
		id,
		name: `bench: one PUT /users per item, N=${n}`,
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, 0, {}),
			node('Make profiles', 'n8n-nodes-base.code', 2, 220, { jsCode: `${profile.toString()}\nreturn Array.from({ length: ${n} }, (_, i) => ({ json: profile(i) }));` }),
			node('PUT /users', 'n8n-nodes-base.httpRequest', 4.2, 440, {
				method: 'PUT',
				url: `${url}/users`,
				sendHeaders: true,
				headerParameters: { parameters: headers },
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify($json) }}',
				options: {},
			}),
		],
		connections: {
			Start: { main: [[{ node: 'Make profiles', type: 'main', index: 0 }]] },
			'Make profiles': { main: [[{ node: 'PUT /users', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		active: false,
		pinData: {},
	};
}

/**
 * Today's way, prepared: one user folder (without the package: today's way does not use it) with the workflows
 * imported once; execute(n) runs one of them with `n8n execute --rawOutput`, its peak RSS written by worker.cjs.
 */
export async function prepareN8n(runtime, { url, apiKey, sizes }) {
	const tmp = temporaryFolder('rankr-bench-n8n-');
	const peakDir = path.join(tmp, 'peak');
	fs.mkdirSync(peakDir);
	const env = {
		...n8nEnvironment(runtime, path.join(tmp, 'home'), { brokerPort: await freePort() }),
		NODE_OPTIONS: `--require ${path.join(BENCH_DIR, 'lib', 'worker.cjs')}`,
		BENCH_PEAK_DIR: peakDir,
	};
	const file = path.join(tmp, 'workflows.json');
	fs.writeFileSync(file, JSON.stringify(sizes.map((n) => todayWorkflow(n, url, apiKey))));
	const imported = await run(runtime.node, [runtime.n8n, 'import:workflow', `--input=${file}`], { env, cwd: tmp, timeoutMs: 5 * MINUTE });
	if (imported.code !== 0) throw new Error(`n8n import:workflow failed (exit ${imported.code ?? imported.signal}):\n${(imported.stdout + imported.stderr).slice(-3000)}`);

	return {
		importMs: imported.ms,
		async execute(n) {
			for (const f of fs.readdirSync(peakDir)) fs.rmSync(path.join(peakDir, f));
			const outputFile = path.join(tmp, 'execute.log');
			const result = await run(runtime.node, [runtime.n8n, 'execute', `--id=${todayId(n)}`, '--rawOutput'], { env, cwd: tmp, timeoutMs: 20 * MINUTE, outputFile });
			const execution = executionResult(logLines(`${result.stdout}\n${result.stderr}`));
			const { runData = {}, error: runError, lastNodeExecuted } = execution?.data?.resultData ?? {};
			const put = runData['PUT /users']?.[0];
			const accepted = (put?.data?.main?.[0] ?? []).filter((item) => typeof item.json?.trackingId === 'string').length;
			const processMs = result.ms;
			if (result.code === 0 && execution?.status === 'success' && accepted === n) {
				const peakFile = path.join(peakDir, `${result.pid}.json`);
				const peak = fs.existsSync(peakFile) ? JSON.parse(fs.readFileSync(peakFile, 'utf8')) : undefined;
				const rssPeakProcessMb = peak ? Math.round(peak.maxRssKb / 102.4) / 10 : undefined;
				return { n, ok: true, processed: accepted, nodeMs: put.executionTime, codeNodeMs: runData['Make profiles']?.[0]?.executionTime, processMs, rssPeakProcessMb };
			}
			// The HTTP Request node itself failed (e.g. "connection closed unexpectedly": it sends every item's
			// request at once, 10,000 sockets): an outcome of today's way, reported, not a crash of the benchmark.
			if (runError && (runError.node?.name === 'PUT /users' || lastNodeExecuted === 'PUT /users')) {
				return { n, ok: false, failedInN8n: `HTTP Request node: ${runError.message}`, processed: accepted, nodeMs: put?.executionTime, processMs };
			}
			const exit = `exit ${result.code ?? result.signal}`;
			const why = runError ? `${runError.node?.name ?? '?'}: ${runError.message}` : result.timedOut ? 'timed out' : execution ? exit : `no execution found in its output (${exit})`;
			const kept = path.join(ROOT, '.bench', `n8n-execute-N${n}-${Date.now()}.log`);
			fs.mkdirSync(path.dirname(kept), { recursive: true });
			fs.copyFileSync(outputFile, kept);
			const tail = result.stdout.split('\n').filter((line) => line.trim() && line.length < 500).slice(-5).join('\n');
			throw new Error(`today's way in n8n failed for N=${n}: ${why}, ${accepted}/${n} accepted; n8n's output: ${path.relative(ROOT, kept)}\n${tail}`);
		},
		close() {
			fs.rmSync(tmp, { recursive: true, force: true });
		},
	};
}
