'use strict';
// Runs one node once through n8n-core's WorkflowExecute (test/engine.ts, compiled to .bench/build) and
// reports what it cost. One fresh process per run: no heap left over from another run. With job.warmup the
// same node first runs once on that many items (the first ones of the measured set), as in a long-running n8n
// whose HTTP stack and code are warm when the nightly sync starts; only the second run is measured.
//   fork(engine-worker.cjs, [JSON job]) with execArgv ['--expose-gc'] -> one IPC message {ok, result|error}
// job: {scenario: 'bulkUpsert', n, url, apiKey, timeoutS, onError} | {scenario: 'creates', n, url, token, locationId, companyId}
// The node's own window (from its execute() being called to its return) is marked by wrapping the node
// type; RSS and heap are sampled every 10 ms inside that window.
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const ROOT = path.resolve(__dirname, '..', '..');
// BENCH_BUILD: another compiled tree to measure (e.g. a copy with a change being tried), default .bench/build.
const BUILD = process.env.BENCH_BUILD ? path.resolve(process.env.BENCH_BUILD) : path.join(ROOT, '.bench', 'build');
const { profiles } = require('./lib/profiles.cjs');

const job = JSON.parse(process.argv[2] ?? '{}');
// test/engine.ts would make a new temporary n8n user folder per process; one shared folder instead.
process.env.N8N_USER_FOLDER ??= path.join(ROOT, '.bench', 'n8n-user-folder');
require('node:fs').mkdirSync(process.env.N8N_USER_FOLDER, { recursive: true });

const SCENARIOS = {
	bulkUpsert: {
		type: 'n8n-nodes-rankr.activateProUser',
		module: 'nodes/ActivateProUser/ActivateProUser.node.js',
		className: 'ActivateProUser',
		items: (n) => profiles(n),
		parameters: (j) => ({
			operation: 'batch',
			batchAction: 'upsert',
			userId: '={{ $json.id }}',
			email: '={{ $json.email }}',
			attributeSource: 'inputFields',
			options: { waitForCompletion: true, timeout: j.timeoutS ?? 300 },
		}),
		credentials: (j) => ({ activateProApi: { apiKey: j.apiKey, baseUrl: j.url } }),
		// every item processed, one output item each
		check: (success, n) => {
			const processed = success.filter((item) => item.json.status === 'processed').length;
			return { processed, ok: success.length === n && processed === n };
		},
	},
	creates: {
		type: 'n8n-nodes-rankr.emailApi',
		module: 'nodes/EmailApi/EmailApi.node.js',
		className: 'EmailApi',
		items: (n) => profiles(n).map((p) => ({ email: p.email, fullName: `${p.firstName} ${p.lastName}` })),
		parameters: () => ({ resource: 'user', operation: 'create', email: '={{ $json.email }}', fullName: '={{ $json.fullName }}', role: 'user' }),
		credentials: (j) => ({ emailApiKeyApi: { token: j.token, baseUrl: j.url, apiVersion: '2021-07-28', locationId: j.locationId, companyId: j.companyId } }),
		check: (success, n) => {
			const created = success.filter((item) => typeof item.json.id === 'string').length;
			return { processed: created, ok: success.length === n && created === n };
		},
	},
};

/** Tells the parent the warm-up is done and waits for its go (it resets the sandbox's request counts). */
function warmedUp() {
	return new Promise((resolve) => {
		process.once('message', resolve);
		process.send({ warmedUp: true });
	});
}

function mb(bytes) {
	return Math.round((bytes / 1048576) * 10) / 10;
}

async function main() {
	const scenario = SCENARIOS[job.scenario];
	if (!scenario) throw new Error(`unknown scenario ${job.scenario}`);

	const loadStart = performance.now();
	const engine = require(path.join(BUILD, 'test', 'engine.js'));
	const NodeClass = require(path.join(BUILD, scenario.module))[scenario.className];
	const loadMs = performance.now() - loadStart;

	// The node under test, wrapped to mark its own window.
	const inner = new NodeClass();
	const window = { start: 0, end: 0, cpu: undefined, rssBefore: 0, heapBefore: 0, rssPeak: 0, heapPeak: 0, samples: 0 };
	let sampler;
	const sample = () => {
		const m = process.memoryUsage();
		window.samples++;
		if (m.rss > window.rssPeak) window.rssPeak = m.rss;
		if (m.heapUsed > window.heapPeak) window.heapPeak = m.heapUsed;
	};
	const wrapped = Object.create(inner);
	wrapped.execute = async function execute() {
		// no gc() here: it would count in n8n's executionTime of the node (main() collects just before runNode)
		const m = process.memoryUsage();
		window.rssBefore = window.rssPeak = m.rss;
		window.heapBefore = window.heapPeak = m.heapUsed;
		sampler = setInterval(sample, 10);
		const cpu = process.cpuUsage();
		window.start = performance.now();
		window.startHrUs = Number(process.hrtime.bigint() / 1000n);
		window.startEpochMs = Date.now();
		try {
			return await inner.execute.call(this);
		} finally {
			window.end = performance.now();
			window.endHrUs = Number(process.hrtime.bigint() / 1000n);
			window.endEpochMs = Date.now();
			window.cpu = process.cpuUsage(cpu);
			clearInterval(sampler);
			sample();
		}
	};
	engine.registerNodeType(scenario.type, wrapped);

	const run = (items) =>
		engine.runNode({
			type: scenario.type,
			parameters: scenario.parameters(job),
			items,
			credentials: scenario.credentials(job),
			// 'stopWorkflow' is n8n's default; 'continueErrorOutput' is what examples/bulk-sync.json uses (n8n-core then
			// splits the node's output into success and error items after the node returned).
			onError: job.onError ?? 'stopWorkflow',
		});
	if (job.warmup) {
		const warm = await run(scenario.items(job.warmup));
		if (warm.error || warm.success.length !== job.warmup) throw new Error(`warm-up run failed: ${warm.error?.message ?? JSON.stringify(warm.errors[0]?.json)}`);
		await warmedUp();
	}

	const items = scenario.items(job.n);
	if (global.gc) global.gc();
	const rssWithItems = process.memoryUsage().rss;

	const runStart = performance.now();
	const result = await run(items);
	const runMs = performance.now() - runStart;

	const subject = result.run.data.resultData.runData.Subject?.[0];
	const check = scenario.check(result.success, job.n);
	const firstError = result.errors[0]?.json ?? (result.error ? { message: result.error.message } : undefined);
	return {
		n: job.n,
		ok: check.ok && !result.error,
		processed: check.processed,
		outputItems: result.success.length,
		errorItems: result.errors.length,
		firstError,
		nodeMs: window.end - window.start,
		n8nExecutionTimeMs: subject?.executionTime,
		// n8n's own work around execute(): before it is called, after it returned (epoch ms, 1 ms resolution)
		n8nBeforeExecuteMs: subject ? window.startEpochMs - subject.startTime : undefined,
		n8nAfterExecuteMs: subject ? subject.startTime + subject.executionTime - window.endEpochMs : undefined,
		runNodeMs: runMs,
		loadMs,
		cpuUserMs: window.cpu ? window.cpu.user / 1000 : undefined,
		cpuSystemMs: window.cpu ? window.cpu.system / 1000 : undefined,
		rssWithItemsMb: mb(rssWithItems),
		rssBeforeNodeMb: mb(window.rssBefore),
		rssPeakNodeMb: mb(window.rssPeak),
		heapBeforeNodeMb: mb(window.heapBefore),
		heapPeakNodeMb: mb(window.heapPeak),
		maxRssProcessMb: mb(process.resourceUsage().maxRSS * 1024),
		memorySamples: window.samples,
		// the node's window on the monotonic clock V8's CPU profiler uses (to cut a --cpu-prof to it)
		windowHrUs: [window.startHrUs, window.endHrUs],
		windowEpochMs: [window.startEpochMs, window.endEpochMs],
	};
}

main().then(
	(result) => process.send({ ok: true, result }, () => process.exit(0)),
	(error) => process.send({ ok: false, error: String(error?.stack ?? error) }, () => process.exit(1)),
);
